namespace BrowserIsolation.Runner.WebRtc;

public enum WebRtcPeerState
{
    /// <summary>Answered; waiting for the browser's first connectivity check.</summary>
    New,

    /// <summary>ICE has a working address; DTLS is handshaking.</summary>
    Connecting,

    /// <summary>DTLS done and SRTP keyed: media can flow.</summary>
    Connected,

    /// <summary>Closed by either side, failed, or consent expired. Terminal.</summary>
    Closed,
}
