namespace BrowserIsolation.Tests.Unit.WebRtc;

/// <summary>Hand-assembled RTCP packets, laid out as in RFC 3550, RFC 4585, RFC 5104 and the REMB draft.</summary>
internal static class RtcpVectors
{
    // SR, 1 report block: ssrc 0x11223344, NTP E88B5A3C.80000000, RTP 123456, 10 packets, 1000 octets;
    // block about 0x55667788: fraction 25/256, cumulative -2, ext. highest 0x00010010, jitter 32, LSR 5A3C8000, DLSR 1 s.
    public const string SenderReport =
        "81 C8 00 0C  11 22 33 44  E8 8B 5A 3C 80 00 00 00  00 01 E2 40  00 00 00 0A  00 00 03 E8" +
        "55 66 77 88  19 FF FF FE  00 01 00 10  00 00 00 20  5A 3C 80 00  00 01 00 00";

    // RR from 0x0A0B0C0D about 0x11223344: 64/256 lost (25 %), cumulative 300.
    public const string ReceiverReport =
        "81 C9 00 07  0A 0B 0C 0D  11 22 33 44  40 00 01 2C  00 00 01 00  00 00 00 05  00 00 00 00  00 00 00 00";

    // SDES, CNAME "abcd", null item + padding.
    public const string Sdes = "81 CA 00 03  0A 0B 0C 0D  01 04 61 62 63 64 00 00";

    // BYE of 0x0A0B0C0D, reason "gone".
    public const string Bye = "81 CB 00 03  0A 0B 0C 0D  04 67 6F 6E 65 00 00 00";

    // Generic NACK: PID 65535 BLP 0x0005 (-> 65535, 0, 2); PID 16 BLP 0x8000 (-> 16, 32).
    public const string Nack = "81 CD 00 04  0A 0B 0C 0D  11 22 33 44  FF FF 00 05  00 10 80 00";

    public const string Pli = "81 CE 00 02  0A 0B 0C 0D  11 22 33 44";

    // FIR for 0x11223344, command sequence number 7.
    public const string Fir = "84 CE 00 04  0A 0B 0C 0D  00 00 00 00  11 22 33 44  07 00 00 00";

    // REMB 2 500 000 bit/s = 156250 << 4 for one SSRC 0x11223344.
    public const string Remb = "8F CE 00 05  0A 0B 0C 0D  00 00 00 00  52 45 4D 42  01 12 62 5A  11 22 33 44";

    // transport-cc (RTPFB FMT 15): base 1, one status (run of 1 small delta), reference time 0, delta 1 ms, 1 byte padding.
    public const string TransportCc = "8F CD 00 05  0A 0B 0C 0D  11 22 33 44  00 01 00 01  00 00 00 00  20 01 04 00";
}
