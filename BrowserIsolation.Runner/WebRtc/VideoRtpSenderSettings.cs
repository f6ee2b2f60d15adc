namespace BrowserIsolation.Runner.WebRtc;

/// <summary>Sends one clear RTP or RTCP packet (the transport protects it); false when it could not.</summary>
public delegate bool MediaPacketSender(ReadOnlySpan<byte> packet);

/// <summary>What the SDP negotiation settled for one outgoing video stream.</summary>
/// <param name="Ssrc">Our video SSRC (a=ssrc in the answer).</param>
/// <param name="PayloadType">The VP8 payload type taken from the offer.</param>
/// <param name="Cname">The CNAME announced in the answer; Sender Reports repeat it.</param>
public sealed record VideoRtpSenderSettings(uint Ssrc, byte PayloadType, string Cname)
{
    /// <summary>Negotiated header extension ids (playout-delay, abs-send-time).</summary>
    public RtpHeaderExtensionIds Extensions { get; init; } = RtpHeaderExtensionIds.None;

    /// <summary>RFC 4588 retransmission stream; when null, NACKed packets are resent as they were (needs libsrtp allow_repeat_tx).</summary>
    public uint? RtxSsrc { get; init; }

    public byte? RtxPayloadType { get; init; }

    public int MaxPacketSize { get; init; } = RtpVp8Packetizer.DefaultMaxPacketSize;

    /// <summary>What other streams on the same transport take (the Opus track): the estimate minus this is the video's.</summary>
    public int ReservedBitrate { get; init; }

    public TimeSpan SenderReportInterval { get; init; } = TimeSpan.FromSeconds(1);

    public int HistoryCapacity { get; init; } = 512;

    public TimeSpan HistoryMaxAge { get; init; } = TimeSpan.FromSeconds(1);
}
