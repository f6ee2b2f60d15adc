namespace BrowserIsolation.Runner.Capture;

/// <summary>
/// The one place frames enter: the screencast publishes, every consumer (WebSocket clients, the VP8 encoder)
/// subscribes. It keeps the newest frame so a late joiner gets a picture at once, even on a static page.
/// </summary>
public sealed class FrameHub
{
    private readonly Lock _gate = new();
    private Action<ScreenFrame>[] _subscribers = [];
    private ScreenFrame? _latest;
    private long _published;

    public ScreenFrame? Latest => Volatile.Read(ref _latest);

    public long PublishedCount => Interlocked.Read(ref _published);

    /// <summary>Hands the frame to every subscriber on the caller's thread; subscribers must only enqueue.</summary>
    public void Publish(ScreenFrame frame)
    {
        Volatile.Write(ref _latest, frame);
        Interlocked.Increment(ref _published);
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber(frame);
        }
    }

    public IDisposable Subscribe(Action<ScreenFrame> onFrame)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, onFrame];
        }
        return new Subscription(this, onFrame);
    }

    private void Unsubscribe(Action<ScreenFrame> onFrame)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => s != onFrame)];
        }
    }

    private sealed class Subscription(FrameHub hub, Action<ScreenFrame> onFrame) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                hub.Unsubscribe(onFrame);
            }
        }
    }
}
