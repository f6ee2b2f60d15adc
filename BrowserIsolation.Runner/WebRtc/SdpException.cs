namespace BrowserIsolation.Runner.WebRtc;

/// <summary>An SDP offer we cannot parse or cannot answer; the message says why and becomes a 400 problem.</summary>
public sealed class SdpException(string message) : Exception(message);
