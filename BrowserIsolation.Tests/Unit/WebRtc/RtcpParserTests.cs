using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public sealed class RtcpParserTests
{
    [Fact]
    public void SenderReportWithReportBlock()
    {
        var sr = Assert.IsType<RtcpSenderReport>(ParseOne(RtcpVectors.SenderReport));
        Assert.Equal((0x11223344u, 0xE88B5A3C_80000000UL, 123456u, 10u, 1000u), (sr.Ssrc, sr.NtpTimestamp, sr.RtpTimestamp, sr.PacketCount, sr.OctetCount));
        var block = Assert.Single(sr.Reports);
        Assert.Equal(new RtcpReportBlock(0x55667788, 25, -2, 0x00010010, 32, 0x5A3C8000, 0x00010000), block);
    }

    [Fact]
    public void ReceiverReportCarriesFractionLost()
    {
        var rr = Assert.IsType<RtcpReceiverReport>(ParseOne(RtcpVectors.ReceiverReport));
        Assert.Equal(0x0A0B0C0Du, rr.Ssrc);
        var block = Assert.Single(rr.Reports);
        Assert.Equal(0x11223344u, block.Ssrc);
        Assert.Equal(64, block.FractionLost);
        Assert.Equal(0.25, block.LossRatio);
        Assert.Equal(300, block.CumulativeLost);
        Assert.Equal(256u, block.ExtendedHighestSequence);
    }

    [Fact]
    public void SourceDescriptionAndBye()
    {
        var sdes = Assert.IsType<RtcpSourceDescription>(ParseOne(RtcpVectors.Sdes));
        Assert.Equal("abcd", Assert.Single(sdes.Chunks).Cname);
        var bye = Assert.IsType<RtcpBye>(ParseOne(RtcpVectors.Bye));
        Assert.Equal([0x0A0B0C0Du], bye.Ssrcs);
        Assert.Equal("gone", bye.Reason);
    }

    [Fact]
    public void GenericNackExpandsPidAndBitmask()
    {
        var nack = Assert.IsType<RtcpNack>(ParseOne(RtcpVectors.Nack));
        Assert.Equal((0x0A0B0C0Du, 0x11223344u), (nack.SenderSsrc, nack.MediaSsrc));
        Assert.Equal([(ushort)65535, (ushort)0, (ushort)2, (ushort)16, (ushort)32], nack.LostSequenceNumbers);
    }

    [Fact]
    public void PictureLossFullIntraAndRemb()
    {
        var pli = Assert.IsType<RtcpPictureLossIndication>(ParseOne(RtcpVectors.Pli));
        Assert.Equal(0x11223344u, pli.MediaSsrc);

        var fir = Assert.IsType<RtcpFullIntraRequest>(ParseOne(RtcpVectors.Fir));
        Assert.Equal(new RtcpFirEntry(0x11223344, 7), Assert.Single(fir.Entries));

        var remb = Assert.IsType<RtcpRemb>(ParseOne(RtcpVectors.Remb));
        Assert.Equal(2_500_000, remb.BitrateBps);
        Assert.Equal([0x11223344u], remb.Ssrcs);
    }

    [Fact]
    public void HugeRembSaturatesInsteadOfOverflowing()
    {
        var remb = Assert.IsType<RtcpRemb>(ParseOne("8F CE 00 04  0A 0B 0C 0D  00 00 00 00  52 45 4D 42  00 FF FF FF"));
        Assert.Equal(long.MaxValue, remb.BitrateBps);
    }

    [Fact]
    public void CompoundPacketKeepsOrderAndSkipsUnknownTypes()
    {
        var data = Hex.Bytes(RtcpVectors.ReceiverReport + RtcpVectors.Sdes + RtcpVectors.Remb + RtcpVectors.TransportCc + RtcpVectors.Nack + RtcpVectors.Pli + RtcpVectors.Fir);
        var result = RtcpParser.Parse(data);
        Assert.True(result.IsWellFormed, string.Join("; ", result.Errors));
        Assert.Collection(result.Packets,
            p => Assert.IsType<RtcpReceiverReport>(p),
            p => Assert.IsType<RtcpSourceDescription>(p),
            p => Assert.IsType<RtcpRemb>(p),
            p => Assert.Equal((ushort)1, Assert.IsType<RtcpTransportFeedback>(p).BaseSequence),
            p => Assert.IsType<RtcpNack>(p),
            p => Assert.IsType<RtcpPictureLossIndication>(p),
            p => Assert.IsType<RtcpFullIntraRequest>(p));
    }

    [Fact]
    public void BrokenPacketInsideACompoundIsSkippedAndTheRestParsed()
    {
        // RR claiming two report blocks but holding one; its length field is still right.
        var badRr = RtcpVectors.ReceiverReport.Replace("81 C9", "82 C9", StringComparison.Ordinal);
        var result = RtcpParser.Parse(Hex.Bytes(badRr + RtcpVectors.Pli));
        Assert.Single(result.Errors);
        Assert.IsType<RtcpPictureLossIndication>(Assert.Single(result.Packets));
    }

    [Theory]
    [InlineData("41 C9 00 07")] // version 1
    [InlineData("81 C9 00 FF  0A 0B 0C 0D")] // length past the end
    [InlineData("81")] // trailing bytes
    public void BrokenHeaderStopsParsingButKeepsWhatCameBefore(string tail)
    {
        var result = RtcpParser.Parse(Hex.Bytes(RtcpVectors.Pli + tail));
        Assert.Single(result.Errors);
        Assert.IsType<RtcpPictureLossIndication>(Assert.Single(result.Packets));
    }

    [Theory]
    [InlineData("8F CE 00 05  0A 0B 0C 0D  00 00 00 00  52 45 4D 42  05 12 62 5A  11 22 33 44")] // REMB: 5 SSRCs, 1 present
    [InlineData("84 CE 00 02  0A 0B 0C 0D  00 00 00 00")] // FIR without entries
    [InlineData("81 CA 00 02  0A 0B 0C 0D  01 04 61 62")] // SDES item past the end
    [InlineData("81 CA 00 02  0A 0B 0C 0D  01 02 61 62")] // SDES chunk without null item
    [InlineData("81 CB 00 02  0A 0B 0C 0D  09 61 62 63")] // BYE reason longer than the packet
    [InlineData("A1 CE 00 02  0A 0B 0C 0D  11 22 33 09")] // padding longer than the body
    [InlineData("A1 CE 00 02  0A 0B 0C 0D  11 22 33 00")] // padding count 0
    [InlineData("81 CD 00 01  0A 0B 0C 0D")] // NACK without media SSRC
    [InlineData("81 C8 00 01  11 22 33 44")] // SR too short
    public void MalformedPacketsAreReportedNotThrown(string hex)
    {
        var result = RtcpParser.Parse(Hex.Bytes(hex));
        Assert.NotEmpty(result.Errors);
        Assert.Empty(result.Packets);
    }

    [Fact]
    public void RandomAndMutatedInputNeverThrows()
    {
        var random = new Random(4585);
        var valid = Hex.Bytes(RtcpVectors.SenderReport + RtcpVectors.Sdes + RtcpVectors.Remb + RtcpVectors.Nack + RtcpVectors.Fir + RtcpVectors.Bye);
        for (var i = 0; i < 100_000; i++)
        {
            byte[] data;
            switch (i % 3)
            {
                case 0:
                    data = new byte[random.Next(0, 120)];
                    random.NextBytes(data);
                    break;
                case 1:
                    data = (byte[])valid.Clone();
                    for (var flips = random.Next(1, 6); flips > 0; flips--)
                    {
                        data[random.Next(data.Length)] = (byte)random.Next(256);
                    }
                    break;
                default:
                    data = valid[..random.Next(0, valid.Length)];
                    break;
            }
            if (data.Length > 1)
            {
                data[0] = (byte)((data[0] & 0x3F) | 0x80); // keep version 2 so the body parsers get exercised
            }
            var result = RtcpParser.Parse(data);
            Assert.NotNull(result);
        }
    }

    private static RtcpPacket ParseOne(string hex)
    {
        var result = RtcpParser.Parse(Hex.Bytes(hex));
        Assert.True(result.IsWellFormed, string.Join("; ", result.Errors));
        return Assert.Single(result.Packets);
    }
}
