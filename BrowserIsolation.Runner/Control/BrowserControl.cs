using System.Text.Json;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Cdp;
using BrowserIsolation.Runner.Enforcement;
using BrowserIsolation.Runner.Policy;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Control;

/// <summary>
/// What a user does with the browser's own controls: the address bar, back, forward, reload, tabs, and a reset to a
/// fresh profile. Every URL a user gives is judged as typed (<see cref="NavigationInitiator.User"/>), so javascript: and
/// data: are refused here although pages may use them.
/// </summary>
public sealed class BrowserControl(
    BrowserHost browser,
    UrlPolicyHolder policy,
    EgressGate gate,
    PolicyEnforcer enforcer,
    VisitedOrigins origins,
    IOptions<RunnerOptions> options,
    ILogger<BrowserControl> logger)
{
    public const int MaxUrlLength = 8192;
    private readonly SemaphoreSlim _resetting = new(1, 1);

    public sealed record NavigationResult(string TabId, string Url, string? NavigationError);

    private TabManager Tabs => browser.Tabs;

    private CdpConnection Cdp => browser.Chromium.Cdp;

    public async Task<NavigationResult> NavigateAsync(string? url, string? tabId, CancellationToken cancellationToken)
    {
        var tab = Tab(tabId);
        var target = ParseUserUrl(url);
        if (await RefusalAsync(target, cancellationToken) is { } reason)
        {
            await enforcer.ShowBlockedAsync(tab.TargetId, target.OriginalString, reason);
            throw Blocked(target, reason);
        }
        var result = await Cdp.SendAsync("Page.navigate", new { url = target.AbsoluteUri }, tab.SessionId, cancellationToken);
        var error = result.TryGetProperty("errorText", out var e) ? e.GetString() : null;
        return new NavigationResult(tab.TargetId, target.AbsoluteUri, error);
    }

    public Task<NavigationResult> BackAsync(string? tabId, CancellationToken cancellationToken) => StepAsync(tabId, -1, cancellationToken);

    public Task<NavigationResult> ForwardAsync(string? tabId, CancellationToken cancellationToken) => StepAsync(tabId, +1, cancellationToken);

    private async Task<NavigationResult> StepAsync(string? tabId, int step, CancellationToken cancellationToken)
    {
        var tab = Tab(tabId);
        var history = await HistoryAsync(tab, cancellationToken);
        var index = history.Current + step;
        if (index < 0 || index >= history.Entries.Count)
        {
            throw new ControlException(409, step < 0 ? "no_back_history" : "no_forward_history",
                step < 0 ? "there is no earlier page in this tab" : "there is no later page in this tab");
        }
        var (entryId, entryUrl) = history.Entries[index];
        // The page may have become blocked since it was visited.
        var decision = policy.Current.Evaluate(entryUrl);
        if (!decision.Allowed)
        {
            await enforcer.ShowBlockedAsync(tab.TargetId, entryUrl, decision.Reason);
            throw Blocked(new Uri(entryUrl, UriKind.RelativeOrAbsolute), decision.Reason);
        }
        await Cdp.SendAsync("Page.navigateToHistoryEntry", new { entryId }, tab.SessionId, cancellationToken);
        return new NavigationResult(tab.TargetId, entryUrl, null);
    }

    public async Task<NavigationResult> ReloadAsync(string? tabId, CancellationToken cancellationToken)
    {
        var tab = Tab(tabId);
        await Cdp.SendAsync("Page.reload", new { ignoreCache = false }, tab.SessionId, cancellationToken);
        return new NavigationResult(tab.TargetId, tab.Url, null);
    }

    public sealed record History(int Current, IReadOnlyList<(int Id, string Url)> Entries)
    {
        public bool CanGoBack => Current > 0;

        public bool CanGoForward => Current < Entries.Count - 1;
    }

    public async Task<History> HistoryAsync(BrowserTab tab, CancellationToken cancellationToken)
    {
        var result = await Cdp.SendAsync("Page.getNavigationHistory", sessionId: tab.SessionId, cancellationToken: cancellationToken);
        var entries = result.GetProperty("entries").EnumerateArray()
            .Select(e => (e.GetProperty("id").GetInt32(), e.GetProperty("url").GetString() ?? "")).ToList();
        return new History(result.GetProperty("currentIndex").GetInt32(), entries);
    }

    public IReadOnlyList<TabInfo> ListTabs() => Tabs.List();

    public async Task<TabInfo> OpenTabAsync(string? url, CancellationToken cancellationToken)
    {
        if (Tabs.Count >= options.Value.MaxTabs)
        {
            throw new ControlException(409, "too_many_tabs", $"a session has at most {options.Value.MaxTabs} tabs; close one first");
        }
        var target = ParseUserUrl(string.IsNullOrWhiteSpace(url) ? policy.Current.NewTabUrl : url);
        if (await RefusalAsync(target, cancellationToken) is { } reason)
        {
            throw Blocked(target, reason);
        }
        var tab = await Tabs.OpenAsync(target.AbsoluteUri, cancellationToken);
        return Info(tab);
    }

    /// <summary>Closes a tab and returns once it is gone from the list (the browser reports that a moment later).</summary>
    public async Task CloseTabAsync(string tabId, CancellationToken cancellationToken)
    {
        await Tabs.CloseAsync(Tab(tabId), cancellationToken);
        for (var i = 0; i < 60 && Tabs.Find(tabId) is not null; i++)
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    public async Task<TabInfo> ActivateTabAsync(string tabId, CancellationToken cancellationToken)
    {
        var tab = Tab(tabId);
        await Tabs.ActivateAsync(tab, cancellationToken);
        return Info(tab);
    }

    /// <summary>
    /// A fresh profile without a new browser: one tab left, emptied; cookies, cache and every visited origin's storage
    /// (local/session storage, IndexedDB, service workers, cache storage) cleared; its history dropped; the homepage.
    /// </summary>
    public async Task<NavigationResult> ResetAsync(CancellationToken cancellationToken)
    {
        await _resetting.WaitAsync(cancellationToken);
        try
        {
            var keep = Tabs.Active ?? throw new ControlException(503, "browser_unavailable", "the browser has no tab");
            foreach (var other in Tabs.List().Where(t => t.TabId != keep.TargetId))
            {
                if (Tabs.Find(other.TabId) is { } tab)
                {
                    await Tabs.CloseAsync(tab, cancellationToken);
                }
            }
            // Leave every site first, so no page writes its storage again after it was cleared.
            await Cdp.SendAsync("Page.navigate", new { url = "about:blank" }, keep.SessionId, cancellationToken);
            await Cdp.SendAsync("Storage.clearCookies", cancellationToken: cancellationToken);
            await Cdp.SendAsync("Network.clearBrowserCache", sessionId: keep.SessionId, cancellationToken: cancellationToken);
            foreach (var origin in origins.Snapshot())
            {
                try
                {
                    // Only a page session can clear an origin's data (the browser target answers "Internal error").
                    await Cdp.SendAsync("Storage.clearDataForOrigin", new { origin, storageTypes = "all" }, keep.SessionId, cancellationToken);
                }
                catch (CdpException ex)
                {
                    logger.LogDebug("Clearing {Origin}: {Message}", origin, ex.Message);
                }
            }
            origins.Clear();
            await TryAsync("Browser.resetPermissions", null, cancellationToken);
            await TryAsync("Page.resetNavigationHistory", keep.SessionId, cancellationToken);
            var home = policy.Current.Homepage;
            await Cdp.SendAsync("Page.navigate", new { url = home }, keep.SessionId, cancellationToken);
            logger.LogInformation("Browser reset to a fresh profile; homepage {Homepage}", home);
            return new NavigationResult(keep.TargetId, home, null);
        }
        finally
        {
            _resetting.Release();
        }
    }

    private async Task TryAsync(string method, string? sessionId, CancellationToken cancellationToken)
    {
        try
        {
            await Cdp.SendAsync(method, sessionId: sessionId, cancellationToken: cancellationToken);
        }
        catch (CdpException ex)
        {
            logger.LogDebug("{Method} during reset: {Message}", method, ex.Message);
        }
    }

    private BrowserTab Tab(string? tabId)
    {
        if (string.IsNullOrEmpty(tabId))
        {
            return Tabs.Active ?? throw new ControlException(503, "browser_unavailable", "the browser has no tab");
        }
        return Tabs.Find(tabId) ?? throw new ControlException(404, "tab_not_found", "there is no such tab (see GET /tabs)");
    }

    private static TabInfo Info(BrowserTab tab) => new(tab.TargetId, tab.Url, tab.Title, true);

    private static Uri ParseUserUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new ControlException(400, "url_required", "'url' is required");
        }
        if (url.Length > MaxUrlLength)
        {
            throw new ControlException(400, "url_too_long", $"'url' is longer than {MaxUrlLength} characters");
        }
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme.Length == 0)
        {
            throw new ControlException(400, "invalid_url", "'url' must be an absolute URL such as https://example.com/");
        }
        return uri;
    }

    /// <summary>Why the policy or the egress guard refuses a URL a user asked for, or null.</summary>
    private async Task<string?> RefusalAsync(Uri url, CancellationToken cancellationToken)
    {
        var decision = policy.Current.Evaluate(url, NavigationInitiator.User);
        if (!decision.Allowed)
        {
            return decision.Reason;
        }
        if (url.Scheme is "http" or "https" && !BlockedNavigation.IsMarker(url))
        {
            var egress = await gate.CheckAsync(url.Scheme, url.Host, url.Port, url, cancellationToken);
            if (egress.Outcome == EgressOutcome.Refused)
            {
                return egress.Reason;
            }
        }
        return null;
    }

    private static ControlException Blocked(Uri url, string reason) => new(403, "blocked_by_policy", reason,
        new Dictionary<string, object?> { ["url"] = url.OriginalString, ["reason"] = reason });
}
