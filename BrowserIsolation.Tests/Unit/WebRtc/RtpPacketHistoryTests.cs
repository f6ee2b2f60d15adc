using System.Diagnostics;
using BrowserIsolation.Runner.Media;
using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public sealed class RtpPacketHistoryTests
{
    private static readonly long Ms = Stopwatch.Frequency / 1000;

    [Fact]
    public void NackedPacketsAreResentByteForByte()
    {
        // Send a frame of 5 packets starting at sequence 65533, keep each, then a NACK for 65534 (+ BLP bit 1 -> 0).
        var packetizer = new RtpVp8Packetizer(0x11223344, 96, initialSequenceNumber: 65533);
        var history = new RtpPacketHistory();
        var sent = new Dictionary<ushort, byte[]>();
        var frame = new byte[5 * packetizer.MaxPayloadPerPacket];
        new Random(1).NextBytes(frame);
        packetizer.Packetize(new EncodedVideoFrame(frame, true, 0, 1280, 720), (packet, seq) =>
        {
            history.Store(seq, packet);
            sent[seq] = packet.ToArray();
        });
        Assert.Equal(5, sent.Count);

        var nack = RtcpParser.Parse(Hex.Bytes("81 CD 00 03  0A 0B 0C 0D  11 22 33 44  FF FE 00 02")).Packets.OfType<RtcpNack>().Single();
        Assert.Equal([(ushort)65534, (ushort)0], nack.LostSequenceNumbers);
        foreach (var seq in nack.LostSequenceNumbers)
        {
            Assert.Equal(sent[seq], history.GetForResend(seq));
        }
        Assert.Equal(2, history.Retransmissions);
    }

    [Fact]
    public void BoundedByCapacity()
    {
        var history = new RtpPacketHistory(capacity: 16);
        for (var seq = 0; seq < 40; seq++)
        {
            history.Store((ushort)seq, [(byte)seq, 1, 2]);
        }
        Assert.Equal(16, history.Count);
        Assert.Null(history.GetForResend(0));
        Assert.Null(history.GetForResend(23));
        Assert.Equal([24, 1, 2], history.GetForResend(24));
        Assert.Equal([39, 1, 2], history.GetForResend(39));
    }

    [Fact]
    public void BoundedByAge()
    {
        var history = new RtpPacketHistory(maxAge: TimeSpan.FromMilliseconds(500));
        history.Store(7, [1, 2, 3], nowTicks: 0);
        Assert.Null(history.GetForResend(7, nowTicks: 501 * Ms));
        history.Store(8, [1, 2, 3], nowTicks: 0);
        Assert.NotNull(history.GetForResend(8, nowTicks: 499 * Ms));
    }

    [Fact]
    public void DuplicateNacksWithinTheGuardResendOnce()
    {
        var history = new RtpPacketHistory(minResendInterval: TimeSpan.FromMilliseconds(20));
        history.Store(100, [9, 9], nowTicks: 0);
        Assert.NotNull(history.GetForResend(100, nowTicks: 1 * Ms));
        Assert.Null(history.GetForResend(100, nowTicks: 10 * Ms));
        Assert.NotNull(history.GetForResend(100, nowTicks: 22 * Ms));
    }

    [Fact]
    public void UnknownWrappedAndOversizedPackets()
    {
        var history = new RtpPacketHistory(capacity: 8, maxPacketSize: 100);
        history.Store(65535, [1]);
        history.Store(0, [2]);
        history.Store(1, new byte[101]);
        Assert.Equal([1], history.GetForResend(65535));
        Assert.Equal([2], history.GetForResend(0));
        Assert.Null(history.GetForResend(1));
        Assert.Null(history.GetForResend(8)); // same slot as 0, different sequence number
        Assert.Equal(0, history.TryGetForResend(0, new byte[0]));
    }

    [Fact]
    public async Task ConcurrentStoreAndResendStayConsistent()
    {
        var history = new RtpPacketHistory(capacity: 64);
        var stop = false;
        var reader = Task.Run(() =>
        {
            var buffer = new byte[1500];
            while (!Volatile.Read(ref stop))
            {
                for (var seq = 0; seq < 1000; seq++)
                {
                    var length = history.TryGetForResend((ushort)seq, buffer);
                    if (length > 0)
                    {
                        // Every packet is its own sequence number repeated: a torn copy would show.
                        Assert.All(buffer[..length], b => Assert.Equal((byte)seq, b));
                    }
                }
            }
        });
        for (var round = 0; round < 200; round++)
        {
            for (var seq = 0; seq < 1000; seq++)
            {
                var packet = new byte[50 + (seq % 50)];
                Array.Fill(packet, (byte)seq);
                history.Store((ushort)seq, packet);
            }
        }
        Volatile.Write(ref stop, true);
        await reader;
    }
}
