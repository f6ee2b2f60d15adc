using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public sealed class RtcpWriterTests
{
    [Fact]
    public void SenderReportMatchesTheRfc3550Layout()
    {
        var block = new RtcpReportBlock(0x55667788, 25, -2, 0x00010010, 32, 0x5A3C8000, 0x00010000);
        var buffer = new byte[RtcpWriter.SenderReportSize(1)];
        var written = RtcpWriter.WriteSenderReport(buffer, 0x11223344, 0xE88B5A3C_80000000UL, 123456, 10, 1000, [block]);
        Assert.Equal(52, written);
        Assert.Equal(Hex.Bytes(RtcpVectors.SenderReport), buffer);
    }

    [Fact]
    public void PeriodicCompoundIsSenderReportPlusCname()
    {
        var packet = RtcpWriter.BuildSenderReport(0xCAFE, 0x1234_5678_9ABC_DEF0, 90_000, 500, 600_000, "runner-7f3a");
        Assert.Equal(0, packet.Length % 4);

        var result = RtcpParser.Parse(packet);
        Assert.True(result.IsWellFormed, string.Join("; ", result.Errors));
        var sr = Assert.IsType<RtcpSenderReport>(result.Packets[0]);
        Assert.Equal((0xCAFEu, 0x1234_5678_9ABC_DEF0UL, 90_000u, 500u, 600_000u), (sr.Ssrc, sr.NtpTimestamp, sr.RtpTimestamp, sr.PacketCount, sr.OctetCount));
        Assert.Empty(sr.Reports);
        var sdes = Assert.IsType<RtcpSourceDescription>(result.Packets[1]);
        Assert.Equal((0xCAFEu, "runner-7f3a"), (sdes.Chunks[0].Ssrc, sdes.Chunks[0].Cname));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("abc")]
    [InlineData("abcd")]
    [InlineData("abcdefghij")]
    public void CnamePaddingIsRightForEveryLength(string cname)
    {
        var packet = RtcpWriter.BuildGoodbye(1, 2, 3, 4, 5, cname);
        var result = RtcpParser.Parse(packet);
        Assert.True(result.IsWellFormed, string.Join("; ", result.Errors));
        Assert.Equal(cname, Assert.IsType<RtcpSourceDescription>(result.Packets[1]).Chunks[0].Cname);
        Assert.Equal([1u], Assert.IsType<RtcpBye>(result.Packets[2]).Ssrcs);
    }

    [Fact]
    public void RejectsCnamesRtcpCannotCarry()
    {
        Assert.Throws<ArgumentException>(() => RtcpWriter.BuildSenderReport(1, 2, 3, 4, 5, ""));
        Assert.Throws<ArgumentException>(() => RtcpWriter.BuildSenderReport(1, 2, 3, 4, 5, new string('x', 256)));
    }
}
