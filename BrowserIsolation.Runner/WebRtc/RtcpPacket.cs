namespace BrowserIsolation.Runner.WebRtc;

/// <summary>One packet out of a compound RTCP packet, as <see cref="RtcpParser"/> understands it.</summary>
public abstract record RtcpPacket;

/// <summary>SR (PT 200).</summary>
public sealed record RtcpSenderReport(uint Ssrc, ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount, IReadOnlyList<RtcpReportBlock> Reports) : RtcpPacket;

/// <summary>RR (PT 201).</summary>
public sealed record RtcpReceiverReport(uint Ssrc, IReadOnlyList<RtcpReportBlock> Reports) : RtcpPacket;

/// <summary>One SDES chunk: a source and its items (type 1 = CNAME).</summary>
public sealed record RtcpSdesChunk(uint Ssrc, IReadOnlyList<KeyValuePair<byte, string>> Items)
{
    public string? Cname => Items.FirstOrDefault(i => i.Key == RtcpParser.SdesCname).Value;
}

/// <summary>SDES (PT 202).</summary>
public sealed record RtcpSourceDescription(IReadOnlyList<RtcpSdesChunk> Chunks) : RtcpPacket;

/// <summary>BYE (PT 203).</summary>
public sealed record RtcpBye(IReadOnlyList<uint> Ssrcs, string? Reason) : RtcpPacket;

/// <summary>Generic NACK (RTPFB PT 205, FMT 1; RFC 4585 section 6.2.1), expanded from PID+BLP pairs.</summary>
public sealed record RtcpNack(uint SenderSsrc, uint MediaSsrc, IReadOnlyList<ushort> LostSequenceNumbers) : RtcpPacket;

/// <summary>Picture Loss Indication (PSFB PT 206, FMT 1; RFC 4585 section 6.3.1).</summary>
public sealed record RtcpPictureLossIndication(uint SenderSsrc, uint MediaSsrc) : RtcpPacket;

/// <summary>One FIR entry: the source asked for a keyframe and the request's command sequence number.</summary>
public sealed record RtcpFirEntry(uint Ssrc, byte SequenceNumber);

/// <summary>Full Intra Request (PSFB PT 206, FMT 4; RFC 5104 section 4.3.1).</summary>
public sealed record RtcpFullIntraRequest(uint SenderSsrc, IReadOnlyList<RtcpFirEntry> Entries) : RtcpPacket;

/// <summary>Receiver Estimated Maximum Bitrate (PSFB FMT 15, "REMB"; draft-alvestrand-rmcat-remb).</summary>
public sealed record RtcpRemb(uint SenderSsrc, long BitrateBps, IReadOnlyList<uint> Ssrcs) : RtcpPacket;

/// <summary>One packet a transport feedback reports received: its transport-wide sequence number and its arrival,
/// in microseconds after the feedback's reference time (250 µs resolution).</summary>
public readonly record struct TransportFeedbackPacket(ushort Sequence, long ArrivalMicros);

/// <summary>
/// Transport-wide congestion control feedback (RTPFB PT 205, FMT 15; draft-holmer-rmcat-transport-wide-cc-extensions-01
/// section 3.1): <see cref="StatusCount"/> sequence numbers from <see cref="BaseSequence"/>, of which those in
/// <see cref="Received"/> arrived (in sequence order); the rest were not received (yet).
/// </summary>
/// <param name="ReferenceTime">24-bit arrival time base in 64 ms units (wraps).</param>
/// <param name="FeedbackCount">8-bit counter of the feedback packets the receiver sent (wraps).</param>
public sealed record RtcpTransportFeedback(
    uint SenderSsrc,
    uint MediaSsrc,
    ushort BaseSequence,
    int StatusCount,
    int ReferenceTime,
    byte FeedbackCount,
    IReadOnlyList<TransportFeedbackPacket> Received) : RtcpPacket
{
    public int Lost => StatusCount - Received.Count;
}

/// <summary>A well-formed packet of a type or format not handled here (APP, XR, ...).</summary>
public sealed record RtcpUnknown(byte PacketType, byte Format, int Length) : RtcpPacket;
