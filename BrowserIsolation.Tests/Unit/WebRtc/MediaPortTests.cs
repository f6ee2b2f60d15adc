using System.Net;
using System.Net.Sockets;
using BrowserIsolation.Runner.WebRtc;
using Microsoft.Extensions.Logging.Abstractions;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public class MediaPortTests : IDisposable
{
    private readonly MediaPort _port = new(new WebRtcTransportOptions { UdpBindAddress = "127.0.0.1" }, NullLogger<MediaPort>.Instance);

    public void Dispose() => _port.Dispose();

    private sealed class RecordingPeer : IMediaPortPeer
    {
        public List<string> Seen { get; } = [];

        public void OnStun(StunMessage message, IPEndPoint source) => Seen.Add("stun:" + message.Username);

        public void OnDtls(ReadOnlySpan<byte> datagram, IPEndPoint source) => Seen.Add("dtls:" + datagram.Length);

        public void OnRtcp(Span<byte> datagram, IPEndPoint source) => Seen.Add("rtcp:" + datagram.Length);
    }

    private sealed class ThrowingPeer : IMediaPortPeer
    {
        public void OnStun(StunMessage message, IPEndPoint source) => throw new InvalidOperationException("boom");

        public void OnDtls(ReadOnlySpan<byte> datagram, IPEndPoint source) => throw new InvalidOperationException("boom");

        public void OnRtcp(Span<byte> datagram, IPEndPoint source) => throw new InvalidOperationException("boom");
    }

    [Fact]
    public void BindsLoopbackAndAnnouncesIt()
    {
        Assert.Equal(IPAddress.Loopback, _port.LocalEndPoint.Address);
        Assert.NotEqual(0, _port.LocalEndPoint.Port);
        var candidate = Assert.Single(_port.Candidates);
        Assert.Equal(IPAddress.Loopback, candidate.Address);
        Assert.Equal(_port.LocalEndPoint.Port, candidate.Port);
    }

    [Fact]
    public void PublicIpReplacesHostCandidatesUnlessAskedToKeepThem()
    {
        using var nat = new MediaPort(new WebRtcTransportOptions { UdpBindAddress = "127.0.0.1", PublicIp = "203.0.113.7" }, NullLogger<MediaPort>.Instance);
        Assert.Equal([IPAddress.Parse("203.0.113.7")], nat.Candidates.Select(c => c.Address));
        using var both = new MediaPort(new WebRtcTransportOptions { UdpBindAddress = "127.0.0.1", PublicIp = "203.0.113.7", KeepHostCandidates = true }, NullLogger<MediaPort>.Instance);
        Assert.Equal([IPAddress.Parse("203.0.113.7"), IPAddress.Loopback], both.Candidates.Select(c => c.Address));
        Assert.True(both.Candidates[0].Priority > both.Candidates[1].Priority);
    }

    [Fact]
    public void StunGoesByUfragAndTheRestByValidatedAddress()
    {
        var peer = new RecordingPeer();
        _port.AddPeer("ufragA", peer);
        var source = new IPEndPoint(IPAddress.Loopback, 40001);
        var stun = StunMessage.Create(StunMessage.BindingRequest).AddString(StunAttributeType.Username, "ufragA:remote").ToBytes("pw");
        _port.HandleDatagram(stun, source);
        var dtls = new byte[] { 22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        _port.HandleDatagram(dtls, source); // not validated yet: dropped
        _port.BindEndPoint(source, peer);
        _port.HandleDatagram(dtls, source);
        var rtcp = new byte[] { 0x80, 201, 0, 1, 1, 2, 3, 4 };
        _port.HandleDatagram(rtcp, source);
        var rtp = new byte[] { 0x80, 96, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8 };
        _port.HandleDatagram(rtp, source); // RTP towards a send-only endpoint: dropped
        var otherUfrag = StunMessage.Create(StunMessage.BindingRequest).AddString(StunAttributeType.Username, "nobody:remote").ToBytes("pw");
        _port.HandleDatagram(otherUfrag, source);
        Assert.Equal(["stun:ufragA:remote", "dtls:13", "rtcp:8"], peer.Seen);
        Assert.Equal(3, _port.Dropped);

        _port.RemovePeer("ufragA", peer);
        _port.HandleDatagram(dtls, source);
        _port.HandleDatagram(stun, source);
        Assert.Equal(3, peer.Seen.Count);
    }

    [Fact]
    public void ThousandsOfRandomDatagramsNeverThrowEvenIntoAFailingPeer()
    {
        _port.AddPeer("ufragB", new ThrowingPeer());
        var source = new IPEndPoint(IPAddress.Loopback, 40002);
        _port.BindEndPoint(source, new ThrowingPeer());
        var random = new Random(5);
        for (var i = 0; i < 20000; i++)
        {
            var datagram = new byte[random.Next(0, 1600)];
            random.NextBytes(datagram);
            _port.HandleDatagram(datagram, i % 2 == 0 ? source : new IPEndPoint(IPAddress.Loopback, 40003));
        }
        // Valid-looking STUN with garbage attributes, truncated and padded.
        var stun = StunMessage.Create(StunMessage.BindingRequest).AddString(StunAttributeType.Username, "ufragB:x").ToBytes("pw");
        for (var cut = 0; cut <= stun.Length; cut++)
        {
            _port.HandleDatagram(stun.AsSpan(0, cut).ToArray(), source);
        }
        Assert.Equal(20000 + stun.Length + 1, _port.DatagramsReceived);
        Assert.True(_port.HandlerErrors > 0);
    }

    [Fact]
    public void RealDatagramsArriveThroughTheSocket()
    {
        var peer = new RecordingPeer();
        _port.AddPeer("ufragC", peer);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var stun = StunMessage.Create(StunMessage.BindingRequest).AddString(StunAttributeType.Username, "ufragC:r").ToBytes("pw");
        client.SendTo(stun, _port.LocalEndPoint);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (peer.Seen.Count == 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(5);
        }
        Assert.Equal(["stun:ufragC:r"], peer.Seen);
    }
}
