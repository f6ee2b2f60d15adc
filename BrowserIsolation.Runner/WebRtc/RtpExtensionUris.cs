namespace BrowserIsolation.Runner.WebRtc;

/// <summary>The <c>a=extmap</c> URIs of the header extensions the video sender can write.</summary>
public static class RtpExtensionUris
{
    /// <summary>Min/max playout delay (12 bits each, 10 ms units); min = max = 0 turns Chrome's jitter buffer off.</summary>
    public const string PlayoutDelay = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";

    /// <summary>24-bit 6.18 fixed-point send time; Chrome's REMB estimator needs it.</summary>
    public const string AbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

    /// <summary>The 16-bit transport-wide sequence number all streams of a transport share; transport feedback reports it.</summary>
    public const string TransportWideCc = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
}
