using System.Buffers.Binary;
using System.Diagnostics;
using BrowserIsolation.Runner.Audio;
using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.Audio;

public class RtpOpusPacketizerTests
{
    private static EncodedAudioFrame Frame(long sampleTime, bool resumed = false, int size = 40) =>
        new(Enumerable.Range(0, size).Select(i => (byte)i).ToArray(), sampleTime, Stopwatch.GetTimestamp(), resumed);

    [Fact]
    public void OneFramePerPacketWithTheSampleClockAndMarkerOnResume()
    {
        var packetizer = new RtpOpusPacketizer(0xCAFE0001, 111, initialSequenceNumber: 65535, initialTimestamp: 1000);
        var packets = new[] { Frame(48_000, resumed: true), Frame(48_960), Frame(50_880, resumed: true) }
            .Select(f => packetizer.Packetize(f).ToArray()).ToArray();
        var parsed = packets.Select(p => RtpPacket.TryParse(p, out var rtp) ? rtp : throw new InvalidOperationException("not RTP")).ToArray();
        Assert.Equal([true, false, true], parsed.Select(p => p.Marker));
        Assert.Equal([(ushort)65535, (ushort)0, (ushort)1], parsed.Select(p => p.SequenceNumber));
        Assert.Equal([49_000u, 49_960u, 51_880u], parsed.Select(p => p.Timestamp));
        Assert.All(parsed, p => Assert.Equal((byte)111, p.PayloadType));
        Assert.All(parsed, p => Assert.Equal(0xCAFE0001u, p.Ssrc));
        Assert.All(parsed, p => Assert.Equal(40, p.Payload.Length));
        Assert.All(parsed, p => Assert.Empty(p.Extensions));
        Assert.All(packets, p => Assert.Equal(12 + 40, p.Length));
        Assert.Equal(3, packetizer.PacketCount);
        Assert.Equal(120, packetizer.OctetCount);
    }

    [Fact]
    public void SenderReportTimeExtrapolatesFromTheLastFrame()
    {
        var packetizer = new RtpOpusPacketizer(1, 111, initialTimestamp: 0);
        Assert.Null(packetizer.RtpTimestampAt(Stopwatch.GetTimestamp()));
        var frame = Frame(96_000);
        packetizer.Packetize(frame);
        Assert.Equal(96_000u + 4_800u, packetizer.RtpTimestampAt(frame.CapturedAt + (Stopwatch.Frequency / 10))); // +100 ms
    }

    [Fact]
    public void BadFramesAreRefused()
    {
        var packetizer = new RtpOpusPacketizer(1, 111);
        Assert.Throws<ArgumentException>(() => packetizer.Packetize(Frame(0, size: 0)));
        Assert.Throws<ArgumentException>(() => packetizer.Packetize(Frame(0, size: 1276)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpOpusPacketizer(1, 128));
    }

    [Fact]
    public void TheFallbackMessageCarriesDurationMicrosecondsAndThePacket()
    {
        var buffer = new byte[AudioFrameMessage.HeaderSize + 40];
        var length = AudioFrameMessage.Write(buffer, Frame(48_000 * 3600L * 24 * 365)); // a year of samples
        Assert.Equal(52, length);
        Assert.Equal([0x4F, 1], buffer[..2]);
        Assert.Equal(960, BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2)));
        Assert.Equal(1_000_000UL * 3600 * 24 * 365, BinaryPrimitives.ReadUInt64BigEndian(buffer.AsSpan(4)));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (byte)i), buffer[12..]);
    }
}
