using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Cdp;
using BrowserIsolation.Runner.Policy;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Enforcement;

/// <summary>
/// Applies the session's policy to the running browser, at start and on every change: the download behaviour, and
/// every open tab re-checked (one that now shows a blocked URL goes to the block page). Requests need nothing here:
/// the interceptor and the proxy read the current policy for each one.
/// </summary>
public sealed class PolicyEnforcer(
    UrlPolicyHolder policy,
    TargetGate targets,
    IOptions<RunnerOptions> options,
    ILogger<PolicyEnforcer> logger) : IBrowserConcern
{
    private readonly SemaphoreSlim _applying = new(1, 1);
    private CdpConnection? _cdp;
    private TabManager? _tabs;

    /// <summary>The policy now in force (after downloads and tabs were brought in line).</summary>
    public event Action<UrlPolicy>? Applied;

    public string DownloadDir => Path.Combine(options.Value.ResolveWorkDir(), "downloads");

    public async Task AttachAsync(ChromiumProcess chromium, TabManager tabs, CancellationToken cancellationToken)
    {
        _cdp = chromium.Cdp;
        _tabs = tabs;
        await ApplyDownloadsAsync(policy.Current, cancellationToken);
        policy.Changed += p => _ = Task.Run(() => ApplyAsync(p));
    }

    private async Task ApplyAsync(UrlPolicy current)
    {
        await _applying.WaitAsync();
        try
        {
            await ApplyDownloadsAsync(current, CancellationToken.None);
            foreach (var tab in _tabs!.List())
            {
                var decision = current.Evaluate(tab.Url);
                if (decision.Allowed || tab.Url.StartsWith("chrome-error:", StringComparison.Ordinal) ||
                    Uri.TryCreate(tab.Url, UriKind.Absolute, out var shown) && BlockedNavigation.IsMarker(shown))
                {
                    continue;
                }
                await ShowBlockedAsync(tab.TabId, tab.Url, decision.Reason);
            }
            Applied?.Invoke(current);
        }
        catch (Exception ex) when (ex is CdpException or InvalidOperationException)
        {
            logger.LogWarning(ex, "Could not apply the new policy to every tab");
        }
        finally
        {
            _applying.Release();
        }
    }

    /// <summary>
    /// The block page in a tab: a network URL is loaded again so the interceptor answers it (the address stays visible);
    /// any other goes to the block page's own address.
    /// </summary>
    public async Task ShowBlockedAsync(string tabId, string url, string reason)
    {
        if (_tabs!.Find(tabId) is not { } tab)
        {
            return;
        }
        var network = Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file";
        if (!network)
        {
            await targets.ShowBlockPageAsync(tabId, url, reason);
            return;
        }
        await _cdp!.SendAsync("Page.navigate", new { url = uri!.AbsoluteUri }, tab.SessionId);
    }

    private async Task ApplyDownloadsAsync(UrlPolicy current, CancellationToken cancellationToken)
    {
        if (current.AllowDownloads)
        {
            Directory.CreateDirectory(DownloadDir);
            // allowAndName: files are stored under their download GUID, so a page cannot pick the file name on disk.
            await _cdp!.SendAsync("Browser.setDownloadBehavior", new { behavior = "allowAndName", downloadPath = DownloadDir, eventsEnabled = true },
                cancellationToken: cancellationToken);
        }
        else
        {
            await _cdp!.SendAsync("Browser.setDownloadBehavior", new { behavior = "deny", eventsEnabled = true }, cancellationToken: cancellationToken);
        }
    }
}
