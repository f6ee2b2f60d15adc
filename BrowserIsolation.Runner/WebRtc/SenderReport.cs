namespace BrowserIsolation.Runner.WebRtc;

/// <summary>Sends a stream's RTCP report: SR + SDES CNAME (+ BYE for its last one), NTP time now.</summary>
public static class SenderReport
{
    /// <summary>False when it could not be sent. Never throws: report timers call it, and a timer that throws ends the process.</summary>
    public static bool TrySend(MediaPacketSender send, uint ssrc, uint rtpTimestamp, long packets, long octets, string cname, bool goodbye)
    {
        try
        {
            var ntp = NtpTime.Now();
            var (packetCount, octetCount) = (unchecked((uint)packets), unchecked((uint)octets));
            return send(goodbye
                ? RtcpWriter.BuildGoodbye(ssrc, ntp, rtpTimestamp, packetCount, octetCount, cname)
                : RtcpWriter.BuildSenderReport(ssrc, ntp, rtpTimestamp, packetCount, octetCount, cname));
        }
        catch (Exception)
        {
            return false; // the transport went away or failed
        }
    }
}
