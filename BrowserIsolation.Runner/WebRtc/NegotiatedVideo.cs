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
    string Cname,
    int? TransportCcExtensionId = null)
{
    /// <summary>Transport-wide congestion control: the extension is sent and the viewer's transport feedback drives the rate.</summary>
    public bool TransportCc => TransportCcExtensionId is not null;
}
