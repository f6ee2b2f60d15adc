using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Clients;
using BrowserIsolation.Runner.Input;
using BrowserIsolation.Runner.Participants;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Viewport;

/// <summary>
/// The remote viewport's size: fixed (the session's size), or following the owner's window (the owner's client reports
/// the space it has; the newest report wins after a short settle, so a window drag resizes once). Everyone is told with
/// a <c>viewport</c> event and letterboxes the picture; input coordinates stay in viewport pixels.
/// </summary>
public sealed class ViewportFollower(BrowserHost browser, ParticipantRegistry registry, IOptions<CoBrowseOptions> options,
    ILogger<ViewportFollower> logger)
{
    public const int MinWidth = 320, MinHeight = 200, MaxWidth = 3840, MaxHeight = 2160;
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _applying = new(1, 1);
    private ViewportMode _mode = options.Value.ViewportMode;
    private (int Width, int Height)? _fixedSize;
    private (int Width, int Height)? _ownerSize;
    private int _generation;

    public ViewportMode Mode
    {
        get { lock (_gate) { return _mode; } }
    }

    public int Width => browser.IsReady ? browser.Tabs.Width : 0;

    public int Height => browser.IsReady ? browser.Tabs.Height : 0;

    /// <summary>An owner's client reports the size it could show 1:1; applied only while following the owner.</summary>
    public void OfferOwnerSize(ClientConnection client, int width, int height)
    {
        if (registry.RoleOf(client.Participant) != ParticipantRoles.Owner)
        {
            return; // only owners steer the size; others' reports are ignored, not refused (every client sends them)
        }
        var size = Clamp(width, height);
        lock (_gate)
        {
            _ownerSize = size;
            if (_mode != ViewportMode.FollowOwner)
            {
                return;
            }
        }
        Schedule();
    }

    public void SetMode(ClientConnection client, ViewportMode mode)
    {
        if (registry.RoleOf(client.Participant) != ParticipantRoles.Owner)
        {
            throw new InputException("not_allowed", "only an owner can change how the viewport is sized");
        }
        SetMode(mode);
    }

    /// <summary>Switches the mode (API, assignment or an owner); the change is told to everyone.</summary>
    public void SetMode(ViewportMode mode)
    {
        lock (_gate)
        {
            if (_mode == mode)
            {
                return;
            }
            _mode = mode;
        }
        logger.LogInformation("Viewport mode is now {Mode}", mode);
        Schedule();
    }

    private static (int, int) Clamp(int width, int height) =>
        (Math.Clamp(width, MinWidth, MaxWidth) & ~1, Math.Clamp(height, MinHeight, MaxHeight) & ~1);

    private void Schedule()
    {
        var generation = Interlocked.Increment(ref _generation);
        _ = Task.Run(async () =>
        {
            await Task.Delay(Settle);
            if (Volatile.Read(ref _generation) == generation)
            {
                await ApplyAsync();
            }
        });
    }

    private async Task ApplyAsync()
    {
        if (!browser.IsReady)
        {
            return;
        }
        await _applying.WaitAsync();
        try
        {
            var tabs = browser.Tabs;
            (int Width, int Height) target;
            ViewportMode mode;
            lock (_gate)
            {
                mode = _mode;
                // The fixed size is the one the session had before it first followed an owner.
                _fixedSize ??= (tabs.Width, tabs.Height);
                target = mode == ViewportMode.FollowOwner && _ownerSize is { } owner ? owner : _fixedSize.Value;
            }
            if (target != (tabs.Width, tabs.Height))
            {
                await tabs.SetViewportAsync(target.Width, target.Height, CancellationToken.None);
                await browser.Screencast.RestartAsync(CancellationToken.None);
                logger.LogInformation("Viewport resized to {Width}x{Height} ({Mode})", target.Width, target.Height, mode);
            }
            registry.Send(new { type = "viewport", width = tabs.Width, height = tabs.Height, mode }, _ => true);
        }
        catch (Exception ex) when (ex is Cdp.CdpException or InvalidOperationException or TimeoutException)
        {
            logger.LogWarning("Could not resize the viewport: {Message}", ex.Message);
        }
        finally
        {
            _applying.Release();
        }
    }
}
