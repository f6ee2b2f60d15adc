namespace BrowserIsolation.Runner.Audio;

/// <summary>One receiver of the shared Opus stream (a WebRTC peer, or a fallback WebSocket). Dispose to stop receiving.</summary>
public sealed class AudioSubscription : IDisposable
{
    private readonly AudioPipeline _pipeline;
    private readonly Action<EncodedAudioFrame> _onFrame;
    private int _disposed;

    internal AudioSubscription(AudioPipeline pipeline, Action<EncodedAudioFrame> onFrame)
    {
        _pipeline = pipeline;
        _onFrame = onFrame;
    }

    /// <summary>Called on the capture thread only; a receiver must hand the frame on, never block.</summary>
    internal void Deliver(EncodedAudioFrame frame)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _onFrame(frame);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _pipeline.Unsubscribe(this);
        }
    }
}
