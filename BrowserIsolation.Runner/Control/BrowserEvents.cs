using System.Text.Json;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Cdp;
using BrowserIsolation.Runner.Clients;
using BrowserIsolation.Runner.Enforcement;
using BrowserIsolation.Runner.Policy;

namespace BrowserIsolation.Runner.Control;

/// <summary>
/// Tells every client what the browser does (docs/protocol.md): <c>tabs</c>, <c>navigation</c> (with history state),
/// <c>blocked</c>, <c>popup-blocked</c>, <c>download</c> and <c>policy</c>. A joining client gets tabs and policy at once.
/// Wired once the browser is ready (it needs the tabs, and nothing is streamed before).
/// </summary>
public sealed class BrowserEvents(
    BrowserHost browser,
    ClientHub clients,
    BrowserControl control,
    RequestInterceptor interceptor,
    TargetGate targets,
    PolicyEnforcer enforcer,
    UrlPolicyHolder policy,
    ILogger<BrowserEvents> logger) : IHostedService
{
    private int _tabsPending;
    private TabManager? _tabs;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        browser.Ready.ContinueWith(_ => Attach(browser.Chromium, browser.Tabs), CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Attach(ChromiumProcess chromium, TabManager tabs)
    {
        _tabs = tabs;
        tabs.TabsChanged += ScheduleTabs;
        tabs.NavigationChanged += tab => _ = Task.Run(() => SendNavigationAsync(tab));
        interceptor.Blocked += OnBlocked;
        targets.PopupBlocked += url => clients.Broadcast(new { type = "popup-blocked", url });
        enforcer.Applied += p => clients.Broadcast(PolicyMessage(p));
        browser.CrashRecovery.Crashed += (tab, status, reloaded) =>
            clients.Broadcast(new { type = "tab-crashed", tabId = tab.TargetId, status, reloaded });
        clients.Connected += client =>
        {
            client.SendJson(TabsMessage());
            client.SendJson(PolicyMessage(policy.Current));
        };
        chromium.Cdp.EventReceived += OnCdpEvent;
        // The first navigation may have happened before this was wired.
        if (tabs.Active is { } active)
        {
            _ = Task.Run(() => SendNavigationAsync(active));
        }
    }

    private object TabsMessage() => new { type = "tabs", tabs = _tabs!.List() };

    /// <summary>What clients may offer their users; the server enforces the same.</summary>
    private static object PolicyMessage(UrlPolicy p) => new
    {
        type = "policy",
        homepage = p.Homepage,
        newTabUrl = p.NewTabUrl,
        popupsAsTabs = p.PopupsAsTabs,
        allowCopyOut = p.AllowCopyOut,
        allowPasteIn = p.AllowPasteIn,
        allowUploads = p.AllowUploads,
        allowDownloads = p.AllowDownloads,
        allowAudio = p.AllowAudio,
    };

    /// <summary>Tab changes come in bursts (open, attach, title, url): one message per 100 ms at most.</summary>
    private void ScheduleTabs()
    {
        if (Interlocked.Exchange(ref _tabsPending, 1) == 1)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            await Task.Delay(100);
            Volatile.Write(ref _tabsPending, 0);
            clients.Broadcast(TabsMessage());
        });
    }

    private async Task SendNavigationAsync(BrowserTab tab)
    {
        bool? back = null, forward = null;
        try
        {
            var history = await control.HistoryAsync(tab, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2));
            (back, forward) = (history.CanGoBack, history.CanGoForward);
        }
        catch (Exception ex) when (ex is CdpException or TimeoutException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            logger.LogDebug("No history for tab {TabId}: {Message}", tab.TargetId, ex.Message);
        }
        clients.Broadcast(new { type = "navigation", tabId = tab.TargetId, url = tab.Url, title = tab.Title, canGoBack = back, canGoForward = forward });
    }

    private void OnBlocked(BlockedRequest blocked)
    {
        if (!blocked.IsDocument)
        {
            return; // subresources are counted and logged; a page can block hundreds
        }
        var tabId = blocked.FrameId is { } frame && _tabs?.Find(frame) is not null ? frame : null;
        clients.Broadcast(new { type = "blocked", url = blocked.Url, reason = blocked.Reason, tabId, frame = tabId is null ? "subframe" : "main" });
    }

    private void OnCdpEvent(CdpEvent e)
    {
        switch (e.Method)
        {
            case "Browser.downloadWillBegin":
                clients.Broadcast(new
                {
                    type = "download",
                    id = e.Params.GetProperty("guid").GetString(),
                    url = e.Params.GetProperty("url").GetString(),
                    filename = e.Params.GetProperty("suggestedFilename").GetString(),
                    state = policy.Current.AllowDownloads ? "started" : "denied",
                });
                break;
            case "Browser.downloadProgress" when e.Params.GetProperty("state").GetString() is "completed" or "canceled" && policy.Current.AllowDownloads:
                clients.Broadcast(new
                {
                    type = "download",
                    id = e.Params.GetProperty("guid").GetString(),
                    state = e.Params.GetProperty("state").GetString(),
                    bytes = e.Params.TryGetProperty("receivedBytes", out var b) ? b.GetDouble() : 0,
                });
                break;
        }
    }
}
