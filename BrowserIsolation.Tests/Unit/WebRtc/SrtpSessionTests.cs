using System.Buffers.Binary;
using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public class SrtpSessionTests
{
    private static (SrtpSession Sender, SrtpSession Receiver) MirroredPair(SrtpProfile profile)
    {
        var random = new Random(1);
        byte[] Bytes(int n) { var b = new byte[n]; random.NextBytes(b); return b; }
        int k = profile.MasterKeyLength(), s = profile.MasterSaltLength();
        var senderKeys = new SrtpKeyMaterial(profile, Bytes(k), Bytes(s), Bytes(k), Bytes(s));
        var receiverKeys = new SrtpKeyMaterial(profile, senderKeys.RemoteKey, senderKeys.RemoteSalt, senderKeys.LocalKey, senderKeys.LocalSalt);
        return (new SrtpSession(senderKeys), new SrtpSession(receiverKeys));
    }

    private static byte[] RtpPacket(ushort sequence, int payloadLength, uint ssrc = 0x11223344)
    {
        var packet = new byte[12 + payloadLength];
        packet[0] = 0x80;
        packet[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 90000u * sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        for (var i = 12; i < packet.Length; i++) packet[i] = (byte)i;
        return packet;
    }

    private static byte[] ReceiverReport(uint ssrc)
    {
        var packet = new byte[8];
        packet[0] = 0x80;
        packet[1] = 201; // RR, no report blocks
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
        return packet;
    }

    [Theory]
    [InlineData(SrtpProfile.AeadAes128Gcm, 16)]
    [InlineData(SrtpProfile.Aes128CmSha1_80, 10)]
    public void RtpRoundTripsBetweenMirroredSessions(SrtpProfile profile, int tagLength)
    {
        var (sender, receiver) = MirroredPair(profile);
        using (sender)
        using (receiver)
        {
            for (ushort seq = 1000; seq < 1100; seq++)
            {
                var plain = RtpPacket(seq, 1100);
                var buffer = new byte[plain.Length + SrtpSession.MaxTrailerLength];
                plain.CopyTo(buffer, 0);
                var length = plain.Length;
                Assert.True(sender.TryProtectRtp(buffer, ref length));
                Assert.Equal(plain.Length + tagLength, length);
                Assert.False(buffer.AsSpan(12, 1100).SequenceEqual(plain.AsSpan(12)));
                Assert.True(receiver.TryUnprotectRtp(buffer, ref length));
                Assert.Equal(plain, buffer[..length]);
            }
        }
    }

    [Theory]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    [InlineData(SrtpProfile.Aes128CmSha1_80)]
    public void RtcpRoundTripsAndTamperingIsRefused(SrtpProfile profile)
    {
        var (sender, receiver) = MirroredPair(profile);
        using (sender)
        using (receiver)
        {
            var plain = ReceiverReport(0xCAFEBABE);
            var buffer = new byte[plain.Length + SrtpSession.MaxTrailerLength];
            plain.CopyTo(buffer, 0);
            var length = plain.Length;
            Assert.True(sender.TryProtectRtcp(buffer, ref length));
            var tampered = (byte[])buffer.Clone();
            tampered[length - 1] ^= 1;
            var tamperedLength = length;
            Assert.False(receiver.TryUnprotectRtcp(tampered, ref tamperedLength));
            Assert.True(receiver.TryUnprotectRtcp(buffer, ref length));
            Assert.Equal(plain, buffer[..length]);
            Assert.Equal(1, receiver.Failures);
        }
    }

    [Fact]
    public void ReplayedRtcpIsRefusedButRepeatedRtpMayBeSent()
    {
        var (sender, receiver) = MirroredPair(SrtpProfile.AeadAes128Gcm);
        using (sender)
        using (receiver)
        {
            var plain = ReceiverReport(7);
            var buffer = new byte[plain.Length + SrtpSession.MaxTrailerLength];
            plain.CopyTo(buffer, 0);
            var length = plain.Length;
            Assert.True(sender.TryProtectRtcp(buffer, ref length));
            var copy = buffer[..length];
            var first = (byte[])copy.Clone();
            var firstLength = first.Length;
            Assert.True(receiver.TryUnprotectRtcp(first, ref firstLength));
            var replayLength = copy.Length;
            Assert.False(receiver.TryUnprotectRtcp(copy, ref replayLength));

            // A NACK retransmission protects the same sequence number again: allowed on our side.
            for (var i = 0; i < 2; i++)
            {
                var rtp = RtpPacket(5, 100);
                var rtpBuffer = new byte[rtp.Length + SrtpSession.MaxTrailerLength];
                rtp.CopyTo(rtpBuffer, 0);
                var rtpLength = rtp.Length;
                Assert.True(sender.TryProtectRtp(rtpBuffer, ref rtpLength));
            }
        }
    }

    [Fact]
    public void KeysFromARealDtlsHandshakeInteroperate()
    {
        using var serverContext = new DtlsContext();
        using var clientContext = new DtlsContext();
        using var pair = new DtlsPair(serverContext, clientContext);
        Assert.True(pair.Handshake(TimeSpan.FromSeconds(10)));
        using var server = new SrtpSession(pair.Server.Keys!);
        using var client = new SrtpSession(pair.Client.Keys!);
        var plain = RtpPacket(1, 500);
        var buffer = new byte[plain.Length + SrtpSession.MaxTrailerLength];
        plain.CopyTo(buffer, 0);
        var length = plain.Length;
        Assert.True(server.TryProtectRtp(buffer, ref length));
        Assert.True(client.TryUnprotectRtp(buffer, ref length));
        Assert.Equal(plain, buffer[..length]);

        var rr = ReceiverReport(9);
        var rtcp = new byte[rr.Length + SrtpSession.MaxTrailerLength];
        rr.CopyTo(rtcp, 0);
        var rtcpLength = rr.Length;
        Assert.True(client.TryProtectRtcp(rtcp, ref rtcpLength));
        Assert.True(server.TryUnprotectRtcp(rtcp, ref rtcpLength));
        Assert.Equal(rr, rtcp[..rtcpLength]);
    }

    [Fact]
    public void RandomDatagramsNeverUnprotectAndNeverThrow()
    {
        var (sender, receiver) = MirroredPair(SrtpProfile.AeadAes128Gcm);
        using (sender)
        using (receiver)
        {
            var random = new Random(3);
            for (var i = 0; i < 5000; i++)
            {
                var datagram = new byte[random.Next(0, 1500)];
                random.NextBytes(datagram);
                if (datagram.Length > 1) { datagram[0] = 0x80; datagram[1] = (byte)random.Next(192, 224); }
                var length = datagram.Length;
                Assert.False(receiver.TryUnprotectRtcp(datagram, ref length));
            }
            // A too-small buffer for protect is refused instead of overrunning it.
            var tight = RtpPacket(1, 100);
            var tightLength = tight.Length;
            Assert.False(sender.TryProtectRtp(tight, ref tightLength));
        }
    }
}
