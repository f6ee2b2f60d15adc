using System.Diagnostics;
using BrowserIsolation.Runner.Media;
using BrowserIsolation.Runner.WebRtc;
using BrowserIsolation.Tests.Unit.Media;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public sealed class RtpVp8PacketizerTests
{
    private const ulong FixedNtp = (3_900_000_000UL << 32) | 0x4000_0000;
    private static readonly RtpHeaderExtensionIds Extensions = new(PlayoutDelay: 1, AbsSendTime: 3);

    [Fact]
    public void AnExtensionValueCanBeRewrittenInPlace()
    {
        var packetizer = new RtpVp8Packetizer(0x1234, 96, Extensions, ntpClock: () => FixedNtp);
        var packet = packetizer.Packetize(new EncodedVideoFrame(new byte[100], true, Stopwatch.GetTimestamp(), 320, 240))[0];
        Assert.True(OneByteExtensionWriter.TryRewrite(packet, 3, [0xAB, 0xCD, 0xEF]));
        Assert.True(RtpPacket.TryParse(packet, out var parsed));
        Assert.Equal([0xAB, 0xCD, 0xEF], parsed.Extensions.Single(e => e.Id == 3).Value.ToArray());
        Assert.Equal([0, 0, 0], parsed.Extensions.Single(e => e.Id == 1).Value.ToArray());
        Assert.Equal(100, parsed.Payload.Length - Vp8PayloadDescriptor.WrittenSize);
        Assert.False(OneByteExtensionWriter.TryRewrite(packet, 5, [1, 2, 3]), "no element 5");
        Assert.False(OneByteExtensionWriter.TryRewrite(packet, 3, [1, 2]), "another length");
        var plain = new RtpVp8Packetizer(0x1234, 96).Packetize(new EncodedVideoFrame(new byte[10], true, Stopwatch.GetTimestamp(), 320, 240))[0];
        Assert.False(OneByteExtensionWriter.TryRewrite(plain, 3, [1, 2, 3]), "no extension block");
        Assert.False(OneByteExtensionWriter.TryRewrite(packet.AsSpan(0, 14), 3, [1, 2, 3]), "truncated");
    }

    [Fact]
    public void SplitsAFrameWithinTheMtuAndMarksItsEnd()
    {
        var packetizer = NewPacketizer();
        var frame = Frame(3000, capturedAt: 0);

        var packets = packetizer.Packetize(frame).Select(Parse).ToList();

        // 1200 - 12 (RTP) - 12 (extension block) - 4 (descriptor) = 1172 bytes of VP8 per packet.
        Assert.Equal(1172, packetizer.MaxPayloadPerPacket);
        Assert.Equal(3, packets.Count);
        Assert.All(packets, p => Assert.True(p.Raw.Length <= 1200));
        Assert.Equal([false, false, true], packets.Select(p => p.Rtp.Marker));
        Assert.Equal([(ushort)65534, (ushort)65535, (ushort)0], packets.Select(p => p.Rtp.SequenceNumber));
        Assert.All(packets, p => Assert.Equal((0x11223344u, (byte)96), (p.Rtp.Ssrc, p.Rtp.PayloadType)));
        Assert.Single(packets.Select(p => p.Rtp.Timestamp).Distinct());
        // Even split, not 1172 + 1172 + 656.
        Assert.Equal([1000, 1000, 1000], packets.Select(p => p.Vp8.Length));
        Assert.Equal(frame.Data, packets.SelectMany(p => p.Vp8).ToArray());
    }

    [Fact]
    public void DescriptorFollowsRfc7741()
    {
        var packetizer = NewPacketizer();
        var packets = packetizer.Packetize(Frame(2500, 0)).Select(Parse).ToList();

        foreach (var (packet, index) in packets.Select((p, i) => (p, i)))
        {
            var d = packet.Descriptor;
            Assert.Equal(index == 0, d.StartOfPartition);
            Assert.Equal(0, d.PartitionId);
            Assert.False(d.NonReference);
            Assert.Equal(0x7FFF, d.PictureId);
            Assert.Equal((byte)0x80, (byte)(packet.Rtp.Payload.Span[0] & 0x80)); // X
            Assert.Equal((byte)0x80, packet.Rtp.Payload.Span[1]); // I only
            Assert.Equal((byte)0x80, (byte)(packet.Rtp.Payload.Span[2] & 0x80)); // M: 15-bit id
        }
    }

    [Fact]
    public void PictureIdIncrementsPerFrameAndWraps()
    {
        var packetizer = NewPacketizer();
        var ids = new List<int?>();
        for (var i = 0; i < 3; i++)
        {
            ids.AddRange(packetizer.Packetize(Frame(100, i)).Select(p => Parse(p).Descriptor.PictureId));
        }
        Assert.Equal([0x7FFF, 0, 1], ids);
        Assert.Equal(2, packetizer.NextPictureId);
    }

    [Fact]
    public void TimestampIsThe90kHzCaptureClock()
    {
        var packetizer = NewPacketizer();
        var t0 = Stopwatch.GetTimestamp();
        var first = Parse(packetizer.Packetize(Frame(100, t0))[0]).Rtp.Timestamp;
        var second = Parse(packetizer.Packetize(Frame(100, t0 + (Stopwatch.Frequency / 30)))[0]).Rtp.Timestamp;
        var third = Parse(packetizer.Packetize(Frame(100, t0 + (Stopwatch.Frequency * 2)))[0]).Rtp.Timestamp;

        Assert.Equal(3000u, unchecked(second - first));
        Assert.Equal(180_000u, unchecked(third - first));
        Assert.Equal(packetizer.RtpTimestampAt(t0), first);
        Assert.Equal(third, packetizer.LastTimestamp);
    }

    [Fact]
    public void WritesPlayoutDelayZeroAndAbsSendTime()
    {
        var packetizer = NewPacketizer();
        foreach (var packet in packetizer.Packetize(Frame(2000, 0)).Select(Parse))
        {
            Assert.Equal((ushort)0xBEDE, packet.Rtp.ExtensionProfile);
            Assert.Equal([0, 0, 0], packet.Rtp.GetExtension(1)!.Value.ToArray());
            var abs = packet.Rtp.GetExtension(3)!.Value.ToArray();
            Assert.Equal(NtpTime.AbsSendTime(FixedNtp), (uint)((abs[0] << 16) | (abs[1] << 8) | abs[2]));
        }
    }

    [Fact]
    public void WithoutNegotiatedExtensionsTheHeaderIsTwelveBytes()
    {
        var packetizer = new RtpVp8Packetizer(1, 100, initialSequenceNumber: 10);
        var packet = packetizer.Packetize(Frame(50, 0))[0];
        Assert.Equal(0, packet[0] & 0x10);
        Assert.Equal(12 + 4 + 50, packet.Length);
        Assert.Equal(1200 - 16, packetizer.MaxPayloadPerPacket);
    }

    [Fact]
    public void SmallFrameIsOnePacketWithStartAndMarker()
    {
        var packet = Parse(NewPacketizer().Packetize(Frame(10, 0)).Single());
        Assert.True(packet.Rtp.Marker);
        Assert.True(packet.Descriptor.StartOfPartition);
        Assert.Equal(10, packet.Vp8.Length);
    }

    [Theory]
    [InlineData(1201)]
    [InlineData(1172 * 5)]
    [InlineData(1172 * 5 + 1)]
    [InlineData(150_000)]
    public void EveryFrameSizeStaysUnderTheMtuAndReassembles(int size)
    {
        var packetizer = NewPacketizer(maxPacketSize: 1200);
        var frame = Frame(size, 0);
        var packets = packetizer.Packetize(frame).Select(Parse).ToList();
        Assert.All(packets, p => Assert.InRange(p.Raw.Length, 1, 1200));
        var sizes = packets.Select(p => p.Vp8.Length).ToList();
        Assert.InRange(sizes.Max() - sizes.Min(), 0, 1);
        Assert.Equal(frame.Data, packets.SelectMany(p => p.Vp8).ToArray());
        Assert.Equal(packets.Count, packetizer.PacketCount);
        Assert.Equal(packets.Sum(p => p.Rtp.Payload.Length), packetizer.OctetCount);
    }

    [Fact]
    public void RealVp8FramesSurvivePacketizationAndDecode()
    {
        using var jpeg = new TurboJpegDecoder();
        using var encoder = new Vp8Encoder(new VideoOptions { Bitrate = 3_000_000 });
        using var decoder = new Vp8TestDecoder();
        var picture = new I420Buffer();
        var packetizer = NewPacketizer();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(jpeg.TryDecode(TestPictures.Jpeg(1280, 720, i), picture));
            Assert.True(encoder.TryEncode(picture, i * 3000L, false, out var data, out var key));
            var frame = new EncodedVideoFrame(data, key, i * (Stopwatch.Frequency / 30), 1280, 720);

            var packets = packetizer.Packetize(frame).Select(Parse).ToList();
            var reassembled = packets.SelectMany(p => p.Vp8).ToArray();
            var decoded = decoder.Decode(reassembled);
            Assert.Equal((1280, 720), (decoded.Width, decoded.Height));
            Assert.True(TestPictures.LumaPsnr(picture, decoded) > 28);
        }
    }

    [Fact]
    public void RejectsImpossibleSettings()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpVp8Packetizer(1, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpVp8Packetizer(1, 96, new RtpHeaderExtensionIds(PlayoutDelay: 15)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpVp8Packetizer(1, 96, Extensions, maxPacketSize: 20));
    }

    private static RtpVp8Packetizer NewPacketizer(int maxPacketSize = 1200) =>
        new(0x11223344, 96, Extensions, maxPacketSize, () => FixedNtp, initialSequenceNumber: 65534, initialTimestamp: 1000, initialPictureId: 0x7FFF);

    private static EncodedVideoFrame Frame(int size, long capturedAt)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        return new EncodedVideoFrame(data, false, capturedAt, 1280, 720);
    }

    private static ParsedPacket Parse(byte[] raw)
    {
        Assert.True(RtpPacket.TryParse(raw, out var rtp));
        Assert.True(Vp8PayloadDescriptor.TryParse(rtp.Payload.Span, out var descriptor, out var length));
        Assert.Equal(Vp8PayloadDescriptor.WrittenSize, length);
        return new ParsedPacket(raw, rtp, descriptor!.Value, rtp.Payload[length..].ToArray());
    }

    private sealed record ParsedPacket(byte[] Raw, RtpPacket Rtp, Vp8PayloadDescriptor Descriptor, byte[] Vp8);
}
