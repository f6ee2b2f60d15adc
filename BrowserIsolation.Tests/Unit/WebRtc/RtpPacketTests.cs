using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public sealed class RtpPacketTests
{
    [Fact]
    public void ParsesAPlainPacket()
    {
        var data = Hex.Bytes("80 60 12 34  00 00 30 39  DE AD BE EF  01 02 03");
        Assert.True(RtpPacket.TryParse(data, out var packet));
        Assert.False(packet.Marker);
        Assert.Equal(96, packet.PayloadType);
        Assert.Equal(0x1234, packet.SequenceNumber);
        Assert.Equal(12345u, packet.Timestamp);
        Assert.Equal(0xDEADBEEFu, packet.Ssrc);
        Assert.Null(packet.ExtensionProfile);
        Assert.Equal([1, 2, 3], packet.Payload.ToArray());
    }

    [Fact]
    public void ParsesOneByteExtensionsWithPadding()
    {
        // id 1 (3 bytes: playout delay 0/0), id 3 (2 bytes), one padding byte; block = 2 words.
        var data = Hex.Bytes("90 E0 00 01  00 00 00 02  00 00 00 03  BE DE 00 02  12 00 00 00  31 AA BB 00  55");
        Assert.True(RtpPacket.TryParse(data, out var packet));
        Assert.True(packet.Marker);
        Assert.Equal((ushort)0xBEDE, packet.ExtensionProfile);
        Assert.Equal(2, packet.Extensions.Count);
        Assert.Equal([0, 0, 0], packet.GetExtension(1)!.Value.ToArray());
        Assert.Equal([0xAA, 0xBB], packet.GetExtension(3)!.Value.ToArray());
        Assert.Null(packet.GetExtension(2));
        Assert.Equal([0x55], packet.Payload.ToArray());
    }

    [Fact]
    public void ParsesTwoByteExtensionsCsrcsAndPadding()
    {
        var data = Hex.Bytes("B1 60 00 07  00 00 00 08  00 00 00 09  CA FE BA BE  10 00 00 01  05 02 AA BB  77 88 00 00 03");
        Assert.True(RtpPacket.TryParse(data, out var packet));
        Assert.Equal([0xCAFEBABEu], packet.Csrcs);
        Assert.Equal((ushort)0x1000, packet.ExtensionProfile);
        Assert.Equal([0xAA, 0xBB], packet.GetExtension(5)!.Value.ToArray());
        Assert.Equal(3, packet.PaddingLength);
        Assert.Equal([0x77, 0x88], packet.Payload.ToArray());
    }

    [Fact]
    public void BuildsWhatItParses()
    {
        var original = new RtpPacket
        {
            Marker = true,
            PayloadType = 100,
            SequenceNumber = 65535,
            Timestamp = 0xFFFF_FFF0,
            Ssrc = 42,
            Csrcs = [7, 8],
            Extensions = [new RtpHeaderExtension(1, new byte[3]), new RtpHeaderExtension(14, new byte[16])],
            Payload = new byte[] { 9, 8, 7 },
        };
        var bytes = original.ToArray();
        Assert.True(RtpPacket.TryParse(bytes, out var parsed));
        Assert.Equal((original.Marker, original.PayloadType, original.SequenceNumber, original.Timestamp, original.Ssrc),
            (parsed.Marker, parsed.PayloadType, parsed.SequenceNumber, parsed.Timestamp, parsed.Ssrc));
        Assert.Equal(original.Csrcs, parsed.Csrcs);
        Assert.Equal(16, parsed.GetExtension(14)!.Value.Length);
        Assert.Equal(3, parsed.GetExtension(1)!.Value.Length);
        Assert.Equal([9, 8, 7], parsed.Payload.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("80 60 12 34  00 00 30 39  DE AD BE")] // 11 bytes
    [InlineData("40 60 12 34  00 00 30 39  DE AD BE EF")] // version 1
    [InlineData("83 60 12 34  00 00 30 39  DE AD BE EF  00 00 00 01")] // 3 CSRCs announced, 1 present
    [InlineData("90 60 12 34  00 00 30 39  DE AD BE EF  BE DE 00 05  10 00 00 00")] // extension longer than packet
    [InlineData("90 60 12 34  00 00 30 39  DE AD BE EF  BE DE 00 01  1F 00 00 00")] // element longer than block
    [InlineData("A0 60 12 34  00 00 30 39  DE AD BE EF  01 02 09")] // padding longer than payload
    [InlineData("A0 60 12 34  00 00 30 39  DE AD BE EF  01 02 00")] // padding count 0
    public void RejectsMalformedPackets(string hex)
    {
        Assert.False(RtpPacket.TryParse(Hex.Bytes(hex), out _));
    }

    [Fact]
    public void RandomAndMutatedInputNeverThrows()
    {
        var random = new Random(3550);
        var valid = Hex.Bytes("B1 E0 00 07  00 00 00 08  00 00 00 09  CA FE BA BE  BE DE 00 02  12 00 00 00  31 AA BB 00  77 88 00 00 03");
        for (var i = 0; i < 50_000; i++)
        {
            byte[] data;
            if (i % 2 == 0)
            {
                data = new byte[random.Next(0, 80)];
                random.NextBytes(data);
                if (data.Length > 0)
                {
                    data[0] = (byte)((data[0] & 0x3F) | 0x80); // mostly version 2, to get past the first check
                }
            }
            else
            {
                data = valid[..random.Next(0, valid.Length + 1)];
                if (data.Length > 0)
                {
                    data[random.Next(data.Length)] = (byte)random.Next(256);
                }
            }
            if (RtpPacket.TryParse(data, out var packet))
            {
                Assert.InRange(packet.Payload.Length, 0, data.Length);
            }
        }
    }

    [Theory]
    [InlineData("80 60 00 01 00 00 00 00 00 00 00 00", true)]
    [InlineData("80 C8 00 06 00 00 00 00 00 00 00 00", false)] // SR
    [InlineData("80 CD 00 06 00 00 00 00 00 00 00 00", false)] // RTPFB
    public void TellsRtpFromMuxedRtcp(string hex, bool isRtp)
    {
        var data = Hex.Bytes(hex);
        Assert.Equal(isRtp, RtpPacket.LooksLikeRtp(data));
        Assert.Equal(!isRtp, RtcpParser.LooksLikeRtcp(data));
    }
}
