using System.Collections.Concurrent;
using BrowserIsolation.Runner.Capture;
using BrowserIsolation.Runner.Cdp;

namespace BrowserIsolation.Runner.Browser;

/// <summary>
/// A renderer that dies (out of memory, a crash, a kill) leaves its tab on Chromium's sad-tab page. The tab is
/// reloaded at its last URL, which brings up a new renderer, and capture restarts on it; a tab that crashes
/// <see cref="MaxCrashes"/> times within <see cref="CrashWindow"/> goes to about:blank instead, so a page that
/// kills its renderer on load cannot loop.
/// </summary>
public sealed class TabCrashRecovery(CdpConnection cdp, TabManager tabs, Screencast screencast, ILogger<TabCrashRecovery> logger)
{
    public const int MaxCrashes = 3;

    public static readonly TimeSpan CrashWindow = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Queue<long>> _crashes = new();

    /// <summary>A tab's renderer crashed: the tab, Chromium's reason, and whether it was reloaded (false: sent to about:blank).</summary>
    public event Action<BrowserTab, string, bool>? Crashed;

    public void Attach() => cdp.EventReceived += OnEvent;

    private void OnEvent(CdpEvent e)
    {
        if (e.Method != "Target.targetCrashed" || tabs.Find(e.Params.GetProperty("targetId").GetString() ?? "") is not { } tab)
        {
            return;
        }
        var status = e.Params.TryGetProperty("status", out var s) ? s.GetString() ?? "crashed" : "crashed";
        _ = Task.Run(() => RecoverAsync(tab, status));
    }

    private async Task RecoverAsync(BrowserTab tab, string status)
    {
        var reload = CountCrash(tab.TargetId) < MaxCrashes;
        var url = reload && tab.Url.Length > 0 ? tab.Url : "about:blank";
        logger.LogWarning("The renderer of tab {TabId} {Status}; {Action}", tab.TargetId, status,
            reload ? $"reloading {url}" : $"it crashed {MaxCrashes} times within {CrashWindow.TotalSeconds:0} s, going to about:blank");
        try
        {
            await cdp.SendAsync("Page.navigate", new { url }, tab.SessionId);
            if (tabs.Active == tab)
            {
                await screencast.RestartAsync(CancellationToken.None);
            }
        }
        catch (CdpException ex)
        {
            logger.LogWarning("Tab {TabId} could not be recovered: {Message}", tab.TargetId, ex.Message);
        }
        Crashed?.Invoke(tab, status, reload);
    }

    private int CountCrash(string targetId)
    {
        var now = Environment.TickCount64;
        var times = _crashes.GetOrAdd(targetId, _ => new Queue<long>());
        lock (times)
        {
            times.Enqueue(now);
            while (times.Count > 0 && now - times.Peek() > (long)CrashWindow.TotalMilliseconds)
            {
                times.Dequeue();
            }
            return times.Count;
        }
    }
}
