namespace BrowserIsolation.Runner.WebRtc;

/// <summary>Receives one decrypted compound RTCP packet from a peer.</summary>
public delegate void RtcpHandler(ReadOnlySpan<byte> rtcp);
