namespace BrowserIsolation.Runner.WebRtc;

/// <summary>Feeds media to a connected peer; disposing the returned handle stops it (called when the peer closes).</summary>
public interface IWebRtcMediaSource
{
    IDisposable Attach(WebRtcPeer peer);

    /// <summary>Whether answers should accept an audio section (this runner captures sound).</summary>
    bool HasAudio => false;
}
