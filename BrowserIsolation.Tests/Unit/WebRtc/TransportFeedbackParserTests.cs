using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public sealed class TransportFeedbackParserTests
{
    private static RtcpParseResult Parse(string fciHex)
    {
        var fci = Hex.Bytes(fciHex);
        var padded = (fci.Length + 3) & ~3;
        var packet = new byte[12 + padded];
        packet[0] = 0x8F;
        packet[1] = 205;
        packet[2] = (byte)(((packet.Length / 4) - 1) >> 8);
        packet[3] = (byte)((packet.Length / 4) - 1);
        new byte[] { 0x0A, 0x0B, 0x0C, 0x0D, 0x11, 0x22, 0x33, 0x44 }.CopyTo(packet, 4);
        fci.CopyTo(packet, 12);
        return RtcpParser.Parse(packet);
    }

    [Fact]
    public void RunLengthChunkAndSmallDeltas()
    {
        // base 0xFFFE (wraps), 3 packets received, reference time 0x000010 (1.024 s), fb count 7; deltas 1, 0.25, 63.75 ms.
        var result = Parse("FF FE 00 03  00 00 10 07  20 03  04 01 FF");
        var fb = Assert.IsType<RtcpTransportFeedback>(Assert.Single(result.Packets));
        Assert.True(result.IsWellFormed);
        Assert.Equal((0x0A0B0C0Du, 0x11223344u, (ushort)0xFFFE, 3, 16, (byte)7), (fb.SenderSsrc, fb.MediaSsrc, fb.BaseSequence, fb.StatusCount, fb.ReferenceTime, fb.FeedbackCount));
        Assert.Equal([new(0xFFFE, 1000), new(0xFFFF, 1250), new(0x0000, 65_000)], fb.Received);
        Assert.Equal(0, fb.Lost);
    }

    [Fact]
    public void OneBitAndTwoBitVectorsWithLossAndALargeNegativeDelta()
    {
        // 1-bit vector: 1,0,1 then 11 zeros (14 symbols); 2-bit vector: large(2), not received(0), small(1), then 4 unused.
        // Statuses: 17. Received: seq 10 (+1 ms), 12 (+0.5 ms), 24 large (-2 ms), 26 small (+0.25 ms).
        var result = Parse("00 0A 00 11  00 00 01 00  A8 00  E1 00  04 02 FF F8 01");
        var fb = Assert.IsType<RtcpTransportFeedback>(Assert.Single(result.Packets));
        // Vector 1 covers 10..23, vector 2 covers 24..26 (17 statuses).
        Assert.Equal(17, fb.StatusCount);
        Assert.Equal([new(10, 1000), new(12, 1500), new(24, -500), new(26, -250)], fb.Received);
        Assert.Equal(13, fb.Lost);
    }

    [Theory]
    [InlineData("00 01 00 05  00 00 00 00  20 03")] // chunks cover 3 of 5 statuses (the zero padding is an empty run)
    [InlineData("00 01 00 02  00 00 00 00  E8 00  00 04")] // two large deltas announced, one there
    [InlineData("00 01 00 01  00 00 00 00  60 01  04")] // reserved run-length symbol
    [InlineData("00 01 00 01  00 00 00 00  F0 00  04")] // reserved two-bit symbol (11)
    [InlineData("00 01 00 00  00 00 00 00")] // zero statuses
    [InlineData("00 01 00 02  00 00")] // header cut short
    [InlineData("00 01 FF FF  00 00 00 00  3F FF 3F FF 3F FF 3F FF 3F FF 3F FF 3F FF 3F FF")] // 65535 "received", no deltas
    [InlineData("00 01 00 01  00 00 00 00  20 01  04 00 00 00 00 00 00 00")] // more than 3 bytes after the deltas
    public void MalformedFeedbackIsCountedNotThrown(string fci)
    {
        var result = Parse(fci);
        Assert.False(result.IsWellFormed);
        Assert.Empty(result.Packets);
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(13);
        for (var i = 0; i < 20_000; i++)
        {
            var packet = new byte[12 + (4 * random.Next(0, 12))];
            random.NextBytes(packet);
            packet[0] = (byte)(0x80 | 15 | (packet[0] & 0x20));
            packet[1] = 205;
            packet[2] = 0;
            packet[3] = (byte)((packet.Length / 4) - 1);
            _ = RtcpParser.Parse(packet);
        }
    }
}
