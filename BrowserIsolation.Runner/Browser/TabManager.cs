using System.Collections.Concurrent;
using System.Text.Json;
using BrowserIsolation.Runner.Cdp;

namespace BrowserIsolation.Runner.Browser;

/// <summary>
/// Tracks the browser's page targets as tabs. Exactly one is active: it is streamed and receives input.
/// Pages that open popups or new windows become new tabs, as in a normal browser.
/// </summary>
public sealed class TabManager(CdpConnection cdp, ILogger<TabManager> logger)
{
    private readonly ConcurrentDictionary<string, BrowserTab> _tabs = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<BrowserTab>>> _attaching = new();
    private readonly SemaphoreSlim _switch = new(1, 1);
    private volatile BrowserTab? _active;
    private volatile bool _closing;
    private int _width;
    private int _height;

    public BrowserTab? Active => _active;

    public int Width => _width;

    public int Height => _height;

    /// <summary>The active tab changed (argument: new active tab, previous one or null).</summary>
    public event Func<BrowserTab, BrowserTab?, Task>? ActiveTabChanged;

    /// <summary>The active tab's URL or title changed.</summary>
    public event Action<BrowserTab>? NavigationChanged;

    /// <summary>A tab opened, closed or was renamed.</summary>
    public event Action? TabsChanged;

    public IReadOnlyList<TabInfo> List() =>
        [.. _tabs.Values.OrderBy(t => t.OpenedAt).Select(t => new TabInfo(t.TargetId, t.Url, t.Title, t == _active))];

    public async Task StartAsync(int width, int height, CancellationToken cancellationToken)
    {
        _width = width;
        _height = height;
        cdp.EventReceived += OnEvent;
        await cdp.SendAsync("Target.setDiscoverTargets", new { discover = true }, cancellationToken: cancellationToken);
        var targets = await cdp.SendAsync("Target.getTargets", cancellationToken: cancellationToken);
        var first = targets.GetProperty("targetInfos").EnumerateArray()
            .FirstOrDefault(t => t.GetProperty("type").GetString() == "page");
        var targetId = first.ValueKind == JsonValueKind.Object
            ? first.GetProperty("targetId").GetString()!
            : (await cdp.SendAsync("Target.createTarget", new { url = "about:blank" }, cancellationToken: cancellationToken))
                .GetProperty("targetId").GetString()!;
        var tab = await AttachAsync(targetId, cancellationToken);
        await ActivateAsync(tab, cancellationToken);
    }

    /// <summary>The browser is closing: tabs going away must not be replaced.</summary>
    public void BeginClose() => _closing = true;

    /// <summary>
    /// Chromium does not report <c>document.title</c> changes as target info changes, so the active tab's title is
    /// read twice a second (one cheap evaluate) and changes are raised like navigations.
    /// </summary>
    public async Task WatchTitlesAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            if (_active is not { } tab || _closing)
            {
                continue;
            }
            try
            {
                var result = await cdp.SendAsync("Runtime.evaluate", new { expression = "document.title", returnByValue = true },
                    tab.SessionId, cancellationToken);
                var title = result.GetProperty("result").TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String
                    ? v.GetString()!
                    : "";
                if (title.Length > 0 && title != tab.Title)
                {
                    tab.Title = title.Length > 512 ? title[..512] : title;
                    NavigationChanged?.Invoke(tab);
                    TabsChanged?.Invoke();
                }
            }
            catch (CdpException)
            {
                // navigating or closing; next tick
            }
        }
    }

    public BrowserTab? Find(string tabId) => _tabs.GetValueOrDefault(tabId);

    public async Task<BrowserTab> OpenAsync(string url, CancellationToken cancellationToken)
    {
        var created = await cdp.SendAsync("Target.createTarget", new { url }, cancellationToken: cancellationToken);
        var targetId = created.GetProperty("targetId").GetString()!;
        // targetCreated may have attached it already.
        var tab = await AttachAsync(targetId, cancellationToken);
        await ActivateAsync(tab, cancellationToken);
        return tab;
    }

    public async Task CloseAsync(BrowserTab tab, CancellationToken cancellationToken)
    {
        if (_tabs.Count == 1)
        {
            // Never leave the browser without a tab to stream.
            await OpenAsync("about:blank", cancellationToken);
        }
        await cdp.SendAsync("Target.closeTarget", new { targetId = tab.TargetId }, cancellationToken: cancellationToken);
    }

    public async Task ActivateAsync(BrowserTab tab, CancellationToken cancellationToken)
    {
        await _switch.WaitAsync(cancellationToken);
        try
        {
            var previous = _active;
            if (previous == tab)
            {
                return;
            }
            _active = tab;
            await cdp.SendAsync("Target.activateTarget", new { targetId = tab.TargetId }, cancellationToken: cancellationToken);
            if (ActiveTabChanged is { } handler)
            {
                await handler(tab, previous);
            }
            NavigationChanged?.Invoke(tab);
            TabsChanged?.Invoke();
        }
        finally
        {
            _switch.Release();
        }
    }

    /// <summary>Sets the exact viewport on every tab (the window size alone leaves 87 px to headless chrome).</summary>
    public async Task SetViewportAsync(int width, int height, CancellationToken cancellationToken)
    {
        _width = width;
        _height = height;
        await Task.WhenAll(_tabs.Values.Select(t => ApplyViewportAsync(t, cancellationToken)));
    }

    private Task ApplyViewportAsync(BrowserTab tab, CancellationToken cancellationToken) =>
        cdp.SendAsync("Emulation.setDeviceMetricsOverride",
            new { width = _width, height = _height, deviceScaleFactor = 1, mobile = false }, tab.SessionId, cancellationToken);

    /// <summary>Attaches once per target, however many callers (start-up, OpenAsync, targetCreated) ask.</summary>
    private Task<BrowserTab> AttachAsync(string targetId, CancellationToken cancellationToken) =>
        _attaching.GetOrAdd(targetId, id => new Lazy<Task<BrowserTab>>(() => AttachOnceAsync(id, cancellationToken))).Value;

    private async Task<BrowserTab> AttachOnceAsync(string targetId, CancellationToken cancellationToken)
    {
        var attached = await cdp.SendAsync("Target.attachToTarget", new { targetId, flatten = true }, cancellationToken: cancellationToken);
        var tab = new BrowserTab(targetId, attached.GetProperty("sessionId").GetString()!);
        await Task.WhenAll(
            cdp.SendAsync("Page.enable", sessionId: tab.SessionId, cancellationToken: cancellationToken),
            ApplyViewportAsync(tab, cancellationToken),
            // Headless has no focused window: without this, carets and :focus never show.
            cdp.SendAsync("Emulation.setFocusEmulationEnabled", new { enabled = true }, tab.SessionId, cancellationToken));
        _tabs[targetId] = tab;
        TabsChanged?.Invoke();
        return tab;
    }

    private void OnEvent(CdpEvent e)
    {
        switch (e.Method)
        {
            case "Target.targetCreated" when IsPage(e.Params):
                var targetId = e.Params.GetProperty("targetInfo").GetProperty("targetId").GetString()!;
                _ = Task.Run(() => AdoptNewTabAsync(targetId));
                break;
            case "Target.targetInfoChanged" when IsPage(e.Params):
                var info = e.Params.GetProperty("targetInfo");
                if (_tabs.TryGetValue(info.GetProperty("targetId").GetString()!, out var tab))
                {
                    tab.Url = info.GetProperty("url").GetString() ?? "";
                    var title = info.GetProperty("title").GetString() ?? "";
                    // Until the page sets one, Chromium reports the URL as the title.
                    tab.Title = title == tab.Url || tab.Url.EndsWith(title, StringComparison.Ordinal) ? tab.Title : title;
                    if (tab == _active)
                    {
                        NavigationChanged?.Invoke(tab);
                    }
                    TabsChanged?.Invoke();
                }
                break;
            case "Target.targetDestroyed":
                var destroyed = e.Params.GetProperty("targetId").GetString()!;
                _attaching.TryRemove(destroyed, out _);
                if (_tabs.TryRemove(destroyed, out var gone))
                {
                    _ = Task.Run(() => OnTabGoneAsync(gone));
                }
                break;
        }
    }

    private static bool IsPage(JsonElement p) => p.GetProperty("targetInfo").GetProperty("type").GetString() == "page";

    private async Task AdoptNewTabAsync(string targetId)
    {
        try
        {
            if (_active is null)
            {
                return; // start-up attaches the first tab itself
            }
            var tab = await AttachAsync(targetId, CancellationToken.None);
            await ActivateAsync(tab, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "New tab {TargetId} was not adopted", targetId);
        }
    }

    private async Task OnTabGoneAsync(BrowserTab gone)
    {
        TabsChanged?.Invoke();
        if (_active != gone || _closing)
        {
            return;
        }
        try
        {
            var next = _tabs.Values.OrderByDescending(t => t.OpenedAt).FirstOrDefault();
            if (next is null)
            {
                await OpenAsync("about:blank", CancellationToken.None);
            }
            else
            {
                await ActivateAsync(next, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not activate another tab after {TargetId} closed", gone.TargetId);
        }
    }
}
