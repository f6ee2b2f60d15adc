using System.Text.Json;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Cdp;
using BrowserIsolation.Runner.Policy;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Enforcement;

/// <summary>
/// New tabs and popups: every new page target is held (<c>Target.setAutoAttach</c> with <c>waitForDebuggerOnStart</c>)
/// until the tab manager has set it up, then released with <c>Runtime.runIfWaitingForDebugger</c>; popups are closed
/// when the policy does not open them as tabs, or when the tab limit is reached. It also watches what every tab shows:
/// a page on a scheme that makes no network request (chrome:, view-source:, about:...) cannot be stopped by Fetch, so a
/// tab that ends up on one is sent to the block page.
/// </summary>
public sealed class TargetGate(
    UrlPolicyHolder policy,
    RequestInterceptor interceptor,
    IOptions<RunnerOptions> options,
    ILogger<TargetGate> logger) : IBrowserConcern
{
    private static readonly HashSet<string> FetchCoveredSchemes = ["http", "https", "ws", "wss", "file"];
    private CdpConnection? _cdp;
    private TabManager? _tabs;

    /// <summary>A popup was closed (argument: its URL, often empty this early).</summary>
    public event Action<string>? PopupBlocked;

    public async Task AttachAsync(ChromiumProcess chromium, TabManager tabs, CancellationToken cancellationToken)
    {
        _cdp = chromium.Cdp;
        _tabs = tabs;
        tabs.AdoptFilter = info => !IsPopup(info) || PopupAllowed();
        _cdp.EventReceived += OnEvent;
        await _cdp.SendAsync("Target.setAutoAttach", new
        {
            autoAttach = true,
            waitForDebuggerOnStart = true,
            flatten = true,
            filter = new object[] { new { type = "page", exclude = false } },
        }, cancellationToken: cancellationToken);
    }

    private bool PopupAllowed() => policy.Current.PopupsAsTabs && _tabs!.Count < options.Value.MaxTabs;

    private static bool IsPopup(JsonElement info) =>
        info.TryGetProperty("openerId", out var opener) && opener.ValueKind == JsonValueKind.String && opener.GetString()!.Length > 0;

    private void OnEvent(CdpEvent e)
    {
        if (e.SessionId is not null)
        {
            return;
        }
        switch (e.Method)
        {
            case "Target.attachedToTarget":
                var attached = e.Params.Clone();
                _ = Task.Run(() => OnAttachedAsync(attached));
                break;
            case "Target.targetInfoChanged":
                var info = e.Params.GetProperty("targetInfo");
                if (info.GetProperty("type").GetString() == "page" && info.GetProperty("url").GetString() is { Length: > 0 } url &&
                    NeedsBlockPage(url) is { } reason)
                {
                    var targetId = info.GetProperty("targetId").GetString()!;
                    _ = Task.Run(() => ShowBlockPageAsync(targetId, url, reason));
                }
                break;
        }
    }

    private async Task OnAttachedAsync(JsonElement attached)
    {
        // Only targets held at start are ours to release. The tab manager's own attachments raise this event too (not
        // waiting): those sessions are not ours to touch.
        if (!attached.TryGetProperty("waitingForDebugger", out var waiting) || !waiting.GetBoolean())
        {
            return;
        }
        var session = attached.GetProperty("sessionId").GetString()!;
        var info = attached.GetProperty("targetInfo");
        var targetId = info.GetProperty("targetId").GetString()!;
        try
        {
            if (IsPopup(info) && !PopupAllowed())
            {
                logger.LogInformation("Closed a popup ({Url}): {Why}", info.GetProperty("url").GetString(),
                    policy.Current.PopupsAsTabs ? "too many tabs" : "the policy does not open popups as tabs");
                await _cdp!.SendAsync("Target.closeTarget", new { targetId });
                PopupBlocked?.Invoke(info.GetProperty("url").GetString() ?? "");
                return;
            }
            // Viewport and focus emulation first, so the page never lays out at the wrong size.
            await _tabs!.AttachAsync(targetId, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is CdpException or TimeoutException or InvalidOperationException)
        {
            logger.LogDebug("Setting up target {TargetId}: {Message}", targetId, ex.Message);
        }
        finally
        {
            // Our session stays attached (idle): detaching could race the tab manager's own attachment.
            await TryAsync("Runtime.runIfWaitingForDebugger", null, session);
        }
    }

    /// <summary>Why a tab showing <paramref name="url"/> must be sent to the block page, or null.</summary>
    internal string? NeedsBlockPage(string url)
    {
        var colon = url.IndexOf(':');
        var scheme = colon > 0 ? url[..colon].ToLowerInvariant() : "";
        if (scheme is "chrome-error" || FetchCoveredSchemes.Contains(scheme) && interceptor.WasAnsweredWithBlockPage(url))
        {
            return null; // Chromium's own error page; or the block page already stands in for it
        }
        var decision = policy.Current.Evaluate(url);
        if (decision.Allowed)
        {
            return null;
        }
        // Fetch stops network schemes before they load; what shows anyway (a scheme with no request) is sent away.
        return FetchCoveredSchemes.Contains(scheme) ? null : decision.Reason;
    }

    public async Task ShowBlockPageAsync(string targetId, string url, string reason)
    {
        if (_tabs?.Find(targetId) is not { } tab)
        {
            return;
        }
        logger.LogInformation("Tab {TargetId} showed {Url}; sending it to the block page: {Reason}", targetId, url.Length > 200 ? url[..200] : url, reason);
        await TryAsync("Page.navigate", new { url = BlockedNavigation.MarkerUrl(url, reason) }, tab.SessionId);
    }

    private async Task TryAsync(string method, object? parameters, string? session)
    {
        try
        {
            await _cdp!.SendAsync(method, parameters, session);
        }
        catch (CdpException ex)
        {
            logger.LogDebug("{Method}: {Message}", method, ex.Message);
        }
    }
}
