using System.Collections.Concurrent;
using System.Diagnostics;
using BrowserIsolation.Runner.Capture;
using BrowserIsolation.Runner.Media;
using BrowserIsolation.Runner.WebRtc;
using BrowserIsolation.Tests.Unit.Media;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public sealed class VideoRtpSenderTests : IDisposable
{
    private const uint Ssrc = 0x11223344;
    private const uint ViewerSsrc = 0x0A0B0C0D;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly FrameHub _hub = new();
    private readonly VideoPipeline _pipeline;
    private readonly ConcurrentQueue<byte[]> _rtp = new();
    private readonly ConcurrentQueue<byte[]> _rtcp = new();

    public VideoRtpSenderTests()
    {
        _pipeline = new VideoPipeline(_hub, new VideoOptions { StaticRepeatMs = 60_000, KeyframeMinIntervalMs = 20, Bitrate = 2_000_000 });
    }

    public void Dispose() => _pipeline.Dispose();

    [Fact]
    public void SendsDecodableVp8FramesStartingWithAKeyframe()
    {
        using var sender = NewSender();
        for (var i = 0; i < 4; i++)
        {
            Publish(i);
            WaitUntil(() => Frames().Count == i + 1);
        }

        using var decoder = new Vp8TestDecoder();
        var frames = Frames();
        Assert.Equal(0, frames[0].Vp8[0] & 1); // keyframe
        foreach (var frame in frames)
        {
            Assert.Equal((320, 240), (decoder.Decode(frame.Vp8).Width, 240));
        }
        var first = Parsed().First();
        Assert.Equal((Ssrc, (byte)96), (first.Ssrc, first.PayloadType));
        Assert.Equal([0, 0, 0], first.GetExtension(2)!.Value.ToArray()); // playout-delay min = max = 0
        Assert.Equal(4, sender.FramesSent);
    }

    [Fact]
    public void PictureLossAndFullIntraRequestBringKeyframes()
    {
        using var sender = NewSender();
        Publish(0);
        WaitUntil(() => Frames().Count == 1);
        Publish(1);
        WaitUntil(() => Frames().Count == 2);
        Assert.False(Frames()[1].IsKeyframe);

        sender.HandleRtcp(Hex.Bytes("81 CE 00 02  0A 0B 0C 0D  99 99 99 99")); // PLI for another stream: ignored
        sender.HandleRtcp(Hex.Bytes(RtcpVectors.Pli));
        WaitUntil(() => Frames().Count == 3);
        Assert.True(Frames()[2].IsKeyframe);
        Assert.Equal(1, sender.PliReceived);

        // FIR: a repeated command sequence number is the same request, not a new one.
        Thread.Sleep(30);
        sender.HandleRtcp(Hex.Bytes(RtcpVectors.Fir));
        WaitUntil(() => Frames().Count == 4);
        sender.HandleRtcp(Hex.Bytes(RtcpVectors.Fir));
        Thread.Sleep(100);
        Assert.Equal(4, Frames().Count);
        Assert.Equal(1, sender.FirReceived);
        Assert.True(Frames()[3].IsKeyframe);
    }

    [Fact]
    public void NackedPacketsAreSentAgain()
    {
        using var sender = NewSender();
        Publish(0);
        WaitUntil(() => Frames().Count == 1);
        var sent = Parsed().ToList();
        var lost = sent[0].SequenceNumber;

        var count = _rtp.Count;
        sender.HandleRtcp(Nack(lost));
        Assert.Equal(count + 1, _rtp.Count);
        Assert.Equal(_rtp.First(), _rtp.Last());
        Assert.Equal((1, 1), (sender.NackedPackets, sender.Retransmitted));

        // At once again: the history's guard drops the duplicate.
        sender.HandleRtcp(Nack(lost));
        Assert.Equal(count + 1, _rtp.Count);
    }

    [Fact]
    public void WithRtxNegotiatedResendsAreRfc4588()
    {
        using var sender = NewSender(rtx: true);
        Publish(0);
        WaitUntil(() => Frames().Count == 1);
        var original = Parsed().First();

        sender.HandleRtcp(Nack(original.SequenceNumber));
        Assert.True(RtpPacket.TryParse(_rtp.Last(), out var rtx));
        Assert.Equal((0x55555555u, (byte)97, original.Timestamp), (rtx.Ssrc, rtx.PayloadType, rtx.Timestamp));
        Assert.Equal(original.SequenceNumber, (ushort)((rtx.Payload.Span[0] << 8) | rtx.Payload.Span[1]));
        Assert.Equal(original.Payload.ToArray(), rtx.Payload[2..].ToArray());
    }

    [Fact]
    public void AResentPacketCarriesItsNewSendTime()
    {
        using var sender = NewSender(rtx: true);
        Publish(0);
        WaitUntil(() => Frames().Count == 1);
        var original = Parsed().First();
        Thread.Sleep(300);
        sender.HandleRtcp(Nack(original.SequenceNumber));
        Assert.True(RtpPacket.TryParse(_rtp.Last(), out var rtx));
        static uint SendTime(RtpPacket p) => p.Extensions.Single(e => e.Id == 3).Value.Span switch { var v => (uint)((v[0] << 16) | (v[1] << 8) | v[2]) };
        // abs-send-time counts 2^-18 s and wraps every 64 s.
        var later = ((SendTime(rtx) - SendTime(original)) & 0xFFFFFF) / (double)(1 << 18);
        Assert.InRange(later, 0.25, 2.0);
        Assert.Equal(original.Extensions.Single(e => e.Id == 2).Value.ToArray(), rtx.Extensions.Single(e => e.Id == 2).Value.ToArray());
    }

    [Fact]
    public void RembAndLossLimitTheSharedEncoder()
    {
        using var sender = NewSender();
        sender.HandleRtcp(Hex.Bytes("8F CE 00 05  0A 0B 0C 0D  00 00 00 00  52 45 4D 42  01 0B D0 90  11 22 33 44")); // 0x3D090 << 2 = 1 Mbit/s
        Assert.Equal(1_000_000, sender.TargetBitrate);
        Assert.Equal(1_000_000, _pipeline.EffectiveBitrate);

        sender.HandleRtcp(Hex.Bytes(RtcpVectors.ReceiverReport)); // 25 % loss on our SSRC
        Assert.Equal(875_000, sender.TargetBitrate);
        Assert.Equal(875_000, _pipeline.EffectiveBitrate);
    }

    [Fact]
    public void TheAudioShareComesOffTheEstimate()
    {
        using var sender = new VideoRtpSender(_pipeline, new VideoRtpSenderSettings(Ssrc, 96, "bi-test") { ReservedBitrate = 92_000 },
            _ => true, _ => true);
        sender.HandleRtcp(Hex.Bytes("8F CE 00 05  0A 0B 0C 0D  00 00 00 00  52 45 4D 42  01 0B D0 90  11 22 33 44")); // 1 Mbit/s
        Assert.Equal(1_000_000, sender.TargetBitrate);
        Assert.Equal(908_000, _pipeline.EffectiveBitrate);
    }

    [Fact]
    public void SenderReportsFollowTheStreamAndByeEndsIt()
    {
        var sender = NewSender(reportInterval: TimeSpan.FromMilliseconds(50));
        Thread.Sleep(120);
        Assert.Empty(_rtcp); // nothing sent yet, nothing to report

        Publish(0);
        WaitUntil(() => !_rtcp.IsEmpty);
        var lastRtp = Parsed().Last();
        var result = RtcpParser.Parse(_rtcp.Last());
        Assert.True(result.IsWellFormed);
        var sr = Assert.IsType<RtcpSenderReport>(result.Packets[0]);
        Assert.Equal(Ssrc, sr.Ssrc);
        Assert.Equal((uint)_rtp.Count, sr.PacketCount);
        Assert.InRange(unchecked(sr.RtpTimestamp - lastRtp.Timestamp), 0u, 90_000u); // at or just after the last frame
        Assert.InRange(NtpTime.ToDateTime(sr.NtpTimestamp), DateTime.UtcNow.AddSeconds(-5), DateTime.UtcNow.AddSeconds(1));
        Assert.Equal("bi-test", Assert.IsType<RtcpSourceDescription>(result.Packets[1]).Chunks[0].Cname);

        sender.Dispose();
        var bye = RtcpParser.Parse(_rtcp.Last()).Packets.OfType<RtcpBye>().Single();
        Assert.Equal([Ssrc], bye.Ssrcs);
        Assert.Equal(0, _pipeline.SubscriberCount);
    }

    [Fact]
    public void MalformedRtcpIsCountedNeverThrown()
    {
        using var sender = NewSender();
        var random = new Random(5104);
        for (var i = 0; i < 5_000; i++)
        {
            var data = new byte[random.Next(0, 64)];
            random.NextBytes(data);
            sender.HandleRtcp(data);
        }
        Assert.True(sender.MalformedRtcp > 0);
    }

    private VideoRtpSender NewSender(bool rtx = false, TimeSpan? reportInterval = null) =>
        new(_pipeline, new VideoRtpSenderSettings(Ssrc, 96, "bi-test")
        {
            Extensions = new RtpHeaderExtensionIds(PlayoutDelay: 2, AbsSendTime: 3),
            RtxSsrc = rtx ? 0x55555555u : null,
            RtxPayloadType = rtx ? (byte)97 : null,
            SenderReportInterval = reportInterval ?? TimeSpan.FromSeconds(30),
        }, packet => { _rtp.Enqueue(packet.ToArray()); return true; }, packet => { _rtcp.Enqueue(packet.ToArray()); return true; });

    private void Publish(int index) =>
        _hub.Publish(new ScreenFrame(TestPictures.Jpeg(320, 240, index), 320, 240, index, Stopwatch.GetTimestamp()));

    private static byte[] Nack(ushort sequenceNumber)
    {
        var nack = Hex.Bytes("81 CD 00 03  0A 0B 0C 0D  11 22 33 44  00 00 00 00");
        nack[12] = (byte)(sequenceNumber >> 8);
        nack[13] = (byte)sequenceNumber;
        return nack;
    }

    private IEnumerable<RtpPacket> Parsed() => _rtp.Select(p =>
    {
        Assert.True(RtpPacket.TryParse(p, out var packet));
        return packet;
    }).Where(p => p.Ssrc == Ssrc);

    /// <summary>Reassembles complete frames (up to each marker) from the packets sent so far.</summary>
    private List<(byte[] Vp8, bool IsKeyframe)> Frames()
    {
        var frames = new List<(byte[], bool)>();
        var current = new List<byte>();
        foreach (var packet in Parsed())
        {
            Assert.True(Vp8PayloadDescriptor.TryParse(packet.Payload.Span, out _, out var length));
            current.AddRange(packet.Payload[length..].ToArray());
            if (packet.Marker)
            {
                frames.Add((current.ToArray(), (current[0] & 1) == 0));
                current.Clear();
            }
        }
        return frames;
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, "timed out");
            Thread.Sleep(2);
        }
    }
}
