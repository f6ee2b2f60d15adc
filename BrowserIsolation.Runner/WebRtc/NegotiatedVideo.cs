namespace BrowserIsolation.Runner.WebRtc;

/// <summary>What the answer settled for the one video stream we send.</summary>
public sealed record NegotiatedVideo(
    string? Mid,
    int PayloadType,
    int? RtxPayloadType,
    uint Ssrc,
    uint? RtxSsrc,
    int? PlayoutDelayExtensionId,
    int? AbsSendTimeExtensionId,
    bool Nack,
    bool Pli,
    bool Fir,
    bool Remb,
    bool ReducedSizeRtcp,
    string Cname);
