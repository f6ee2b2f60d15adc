namespace BrowserIsolation.Runner.WebRtc;

/// <summary>What the answer settled for the one Opus stream we send (RFC 7587), bundled with the video.</summary>
public sealed record NegotiatedAudio(
    string? Mid,
    int PayloadType,
    uint Ssrc,
    string Cname,
    int? TransportCcExtensionId = null);
