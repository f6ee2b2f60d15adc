namespace BrowserIsolation.Runner.WebRtc;

/// <summary>A reception report block of an SR or RR (RFC 3550 section 6.4.1).</summary>
/// <param name="Ssrc">The source this block reports on (our SSRC when a viewer reports on our video).</param>
/// <param name="FractionLost">Packets lost since the previous report, in 1/256 units.</param>
/// <param name="CumulativeLost">Packets lost since the start (24-bit signed).</param>
/// <param name="ExtendedHighestSequence">Cycles in the high 16 bits, highest sequence number received in the low 16.</param>
/// <param name="Jitter">Interarrival jitter in RTP timestamp units.</param>
/// <param name="LastSenderReport">Middle 32 bits of the NTP timestamp of the last SR received (0 = none yet).</param>
/// <param name="DelaySinceLastSenderReport">Delay since that SR, in 1/65536 s.</param>
public sealed record RtcpReportBlock(uint Ssrc, byte FractionLost, int CumulativeLost, uint ExtendedHighestSequence, uint Jitter, uint LastSenderReport, uint DelaySinceLastSenderReport)
{
    public const int Size = 24;

    public double LossRatio => FractionLost / 256.0;

    /// <summary>Round-trip time from LSR/DLSR (RFC 3550 section 6.4.1), or null if the receiver has no SR yet.</summary>
    public TimeSpan? RoundTripTime(ulong ntpNow)
    {
        if (LastSenderReport == 0)
        {
            return null;
        }
        var rtt = unchecked(NtpTime.Middle32(ntpNow) - LastSenderReport - DelaySinceLastSenderReport);
        // A negative difference shows up as a huge unsigned value: clocks or the report are off.
        return rtt > 0x7FFF_FFFF ? null : TimeSpan.FromSeconds(rtt / 65536.0);
    }
}
