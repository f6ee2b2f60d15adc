namespace BrowserIsolation.Runner.Media;

/// <summary>
/// One receiver of the shared VP8 stream (typically one WebRTC peer). Its first frame is always a keyframe:
/// delta frames encoded before the keyframe it asked for are not delivered, since it could not decode them.
/// Dispose to stop receiving.
/// </summary>
public sealed class VideoSubscription : IDisposable
{
    private readonly VideoPipeline _pipeline;
    private readonly Action<EncodedVideoFrame> _onFrame;
    private int _bitrateLimit;
    private int _disposed;
    private bool _started;

    internal VideoSubscription(VideoPipeline pipeline, Action<EncodedVideoFrame> onFrame)
    {
        _pipeline = pipeline;
        _onFrame = onFrame;
    }

    /// <summary>This receiver's bandwidth limit in bit/s (0 = none). The shared encoder follows the lowest limit.</summary>
    public int BitrateLimit => Volatile.Read(ref _bitrateLimit);

    /// <summary>Sets this receiver's limit, e.g. from its <c>BitrateController</c>; 0 removes it.</summary>
    public void SetBitrateLimit(int bitsPerSecond) => Volatile.Write(ref _bitrateLimit, Math.Max(0, bitsPerSecond));

    /// <summary>Asks the shared encoder for a keyframe (this receiver sent PLI or FIR).</summary>
    public void RequestKeyframe() => _pipeline.RequestKeyframe();

    /// <summary>True once the first keyframe went out to this receiver.</summary>
    public bool Started => Volatile.Read(ref _started);

    /// <summary>Called on the encode thread only.</summary>
    internal void Deliver(EncodedVideoFrame frame)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        if (!_started)
        {
            if (!frame.IsKeyframe)
            {
                return;
            }
            Volatile.Write(ref _started, true);
        }
        _onFrame(frame);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _pipeline.Unsubscribe(this);
        }
    }
}
