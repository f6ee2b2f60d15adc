using System.Buffers.Binary;
using BrowserIsolation.Runner.Media;
using BrowserIsolation.Runner.WebRtc;
using BrowserIsolation.Runner.WebRtc.Congestion;

namespace BrowserIsolation.Tests.Unit.WebRtc.Congestion;

[Trait("Category", "WebRtc")]
public sealed class TransportSequencerTests
{
    private const int Id = 3;

    private static ushort TransportSequence(ReadOnlySpan<byte> packet)
    {
        // Fixed header, 0xBEDE block; the transport-cc element is the only or the last one in our packets.
        var at = 12 + 4;
        var end = 12 + 4 + (BinaryPrimitives.ReadUInt16BigEndian(packet[14..]) * 4);
        while (at < end)
        {
            var id = packet[at] >> 4;
            var length = (packet[at] & 0x0F) + 1;
            if (id == Id)
            {
                return BinaryPrimitives.ReadUInt16BigEndian(packet[(at + 1)..]);
            }
            at += 1 + length;
        }
        throw new InvalidOperationException("no transport-cc element");
    }

    [Fact]
    public void VideoAndAudioPacketsShareOneCounterAndTheHistoryKnowsSizesAndTimes()
    {
        var sent = new List<byte[]>();
        var sequencer = new TransportSequencer(p => { sent.Add(p.ToArray()); return true; });
        var video = new RtpVp8Packetizer(1, 96, new RtpHeaderExtensionIds(PlayoutDelay: 5, AbsSendTime: 2, TransportSequenceNumber: Id));
        var audio = new RtpOpusPacketizer(2, 111, transportCcExtensionId: Id);
        video.Packetize(new EncodedVideoFrame(new byte[3000], true, 0, 320, 240), (packet, _) =>
        {
            var copy = packet.ToArray();
            sequencer.Send(copy, Id);
        });
        var opus = audio.Packetize(new BrowserIsolation.Runner.Audio.EncodedAudioFrame(new byte[] { 1, 2, 3 }, 0, 0, false)).ToArray();
        sequencer.Send(opus, Id);
        Assert.Equal([0, 1, 2, 3], sent.Select(p => (int)TransportSequence(p)));
        Assert.Equal(12 + 8 + 3, sent[^1].Length); // audio: the 8-byte extension block only
        Assert.True(sequencer.History.TryGet(3, out var last));
        Assert.Equal(sent[^1].Length, last.Size);
        Assert.True(sequencer.History.TryGet(0, out var first) && first.SendMicros <= last.SendMicros);
        Assert.Equal(3, new TransportSendHistory().Unwrap(3));
    }

    [Fact]
    public void FeedbackIsMatchedWithTheHistoryAcrossReferenceTimes()
    {
        var history = new TransportSendHistory();
        for (var i = 0; i < 10; i++)
        {
            history.Add(1000 + i, i * 1_000L);
        }
        var adapter = new TransportFeedbackAdapter(history);
        var first = adapter.OnFeedback(new RtcpTransportFeedback(1, 2, 0, 5, 100, 0, [new(0, 1_000), new(1, 2_000), new(4, 5_000)]), out var lost, out var reported);
        Assert.Equal((2, 5), (lost, reported));
        Assert.Equal([1000, 1001, 1004], first.Select(r => r.Sent.Size));
        // Next feedback one reference tick (64 ms) later: its arrivals continue on the same clock.
        var second = adapter.OnFeedback(new RtcpTransportFeedback(1, 2, 5, 2, 101, 1, [new(5, 0), new(6, 250)]), out _, out _);
        Assert.Equal(64_000, second[0].ArrivalMicros - first[0].ArrivalMicros + 1_000);
        // Unknown sequence numbers (never sent) are not counted.
        adapter.OnFeedback(new RtcpTransportFeedback(1, 2, 500, 3, 102, 2, [new(500, 0)]), out lost, out reported);
        Assert.Equal((0, 0), (lost, reported));
    }
}
