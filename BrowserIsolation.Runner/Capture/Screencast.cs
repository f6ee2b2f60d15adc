using System.Diagnostics;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Cdp;

namespace BrowserIsolation.Runner.Capture;

/// <summary>
/// <c>Page.startScreencast</c> on the active tab: every JPEG is acked at once (Chromium sends the next only after the
/// ack) and published to the <see cref="FrameHub"/>. A static page sends nothing; the hub keeps the last picture.
/// </summary>
public sealed class Screencast(CdpConnection cdp, TabManager tabs, FrameHub hub, ChromiumOptions options, ILogger<Screencast> logger)
{
    private long _sequence;

    public RateMeter Captured { get; } = new();

    public void Attach()
    {
        cdp.EventReceived += OnEvent;
        tabs.ActiveTabChanged += SwitchAsync;
    }

    /// <summary>Restarts capture on the active tab, e.g. after a viewport change.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        if (tabs.Active is { } tab)
        {
            await StopAsync(tab);
            await StartAsync(tab, cancellationToken);
        }
    }

    private async Task SwitchAsync(BrowserTab active, BrowserTab? previous)
    {
        if (previous is not null)
        {
            await StopAsync(previous);
        }
        await StartAsync(active, CancellationToken.None);
    }

    private Task StartAsync(BrowserTab tab, CancellationToken cancellationToken) =>
        cdp.SendAsync("Page.startScreencast", new
        {
            format = "jpeg",
            quality = Math.Clamp(options.ScreencastQuality, 1, 100),
            maxWidth = tabs.Width,
            maxHeight = tabs.Height,
            everyNthFrame = 1,
        }, tab.SessionId, cancellationToken);

    private async Task StopAsync(BrowserTab tab)
    {
        try
        {
            await cdp.SendAsync("Page.stopScreencast", sessionId: tab.SessionId);
        }
        catch (CdpException ex)
        {
            logger.LogDebug("stopScreencast on a closing tab: {Message}", ex.Message);
        }
    }

    private void OnEvent(CdpEvent e)
    {
        if (e.Method != "Page.screencastFrame")
        {
            return;
        }
        // Ack first: Chromium holds the next frame until then.
        cdp.Post("Page.screencastFrameAck", new { sessionId = e.Params.GetProperty("sessionId").GetInt32() }, e.SessionId);
        if (e.SessionId != tabs.Active?.SessionId)
        {
            return;
        }
        var jpeg = e.Params.GetProperty("data").GetBytesFromBase64();
        Captured.Mark();
        hub.Publish(new ScreenFrame(jpeg, tabs.Width, tabs.Height, Interlocked.Increment(ref _sequence), Stopwatch.GetTimestamp()));
    }
}
