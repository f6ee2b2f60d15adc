using System.Net;
using System.Net.Sockets;
using BrowserIsolation.Runner.WebRtc;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Tests.Unit.WebRtc;

/// <summary>
/// ICE consent over real UDP on loopback: a participant who knows the ICE password cannot point the stream at another
/// address by sending one check "from" it; an address moves the stream only after it answered the runner's own check.
/// Loopback cannot forge source addresses, so the "victim" socket sends the attacker's check itself and then, like a
/// victim, never answers.
/// </summary>
[Trait("Category", "WebRtc")]
public sealed class IceConsentTests : IDisposable
{
    // The browser's credentials in the offer vector (a=ice-ufrag / a=ice-pwd).
    private const string BrowserUfrag = "XPDa";
    private const string BrowserPwd = "ci798MZMj2H06JOUjRY4lkuD";

    private readonly WebRtcService _service = new(Options.Create(new WebRtcTransportOptions { UdpBindAddress = "127.0.0.1", MaxPeersPerParticipant = 2 }),
        NullLoggerFactory.Instance);

    public void Dispose() => _service.Dispose();

    [Fact]
    public async Task ASpoofedOrUnconfirmedCheckDoesNotMoveTheStreamAValidCheckDoes()
    {
        var peer = _service.AcceptOffer(Vectors.ReadSdp("chromium156-recvonly-video.sdp"), "p1");
        using var browser = Bound();
        using var victim = Bound();
        using var stranger = Bound();

        // The browser's check, our check back, its answer: the browser's address carries the stream.
        await SendCheckAsync(browser, peer, nominate: true);
        await AnswerOurCheckAsync(browser);
        await ExpectSuccessAsync(browser);
        Assert.Equal(Local(browser), peer.RemoteEndPoint);
        Assert.True(peer.Ice.IsNominated);

        // A stranger's check without the password: a 401, nothing moves.
        await SendCheckAsync(stranger, peer, nominate: true, password: "not-the-ice-password-of-it");
        var refusal = await ReceiveStunAsync(stranger);
        Assert.Equal(401, refusal.Error?.Code);

        // The participant's authenticated nomination "from" the victim: the runner only asks the victim, which never
        // answers, so the stream stays where it is and the victim got nothing but our small check.
        for (var i = 0; i < 3; i++)
        {
            await SendCheckAsync(victim, peer, nominate: true);
            await Task.Delay(250);
        }
        var atVictim = Drain(victim);
        Assert.Equal(Local(browser), peer.RemoteEndPoint);
        Assert.False(peer.Ice.IsValidated(Local(victim)));
        Assert.NotEmpty(atVictim);
        Assert.All(atVictim, d =>
        {
            Assert.True(StunMessage.TryParse(d, out var m), "only STUN reaches the victim");
            Assert.Equal(StunMessage.BindingRequest, m.Type);
            Assert.True(d.Length < 200, $"a {d.Length}-byte datagram reached the victim");
        });
        Console.WriteLine($"victim received {atVictim.Count} check(s), {atVictim.Sum(d => d.Length)} bytes in all");

        // A forged answer from the victim's address (signed with a guess) confirms nothing either.
        await SendCheckAsync(victim, peer, nominate: true);
        var check = await ReceiveStunAsync(victim);
        var forged = new StunMessage(StunMessage.BindingSuccessResponse, check.TransactionId).AddXorMappedAddress(Local(victim)).ToBytes("guessed-password-guessed");
        await victim.SendAsync(forged, _service.Port.LocalEndPoint);
        await Task.Delay(200);
        Assert.Equal(Local(browser), peer.RemoteEndPoint);

        // The browser's own second address (a network change) passes the check and takes the stream.
        using var moved = Bound();
        await SendCheckAsync(moved, peer, nominate: true);
        await AnswerOurCheckAsync(moved);
        await ExpectSuccessAsync(moved);
        Assert.Equal(Local(moved), peer.RemoteEndPoint);
    }

    [Fact]
    public void PeersPerParticipantAreCapped()
    {
        var offer = Vectors.ReadSdp("chromium156-recvonly-video.sdp");
        _service.AcceptOffer(offer, "p2");
        var second = _service.AcceptOffer(offer, "p2");
        var refused = Assert.Throws<WebRtcCapacityException>(() => _service.AcceptOffer(offer, "p2"));
        Assert.True(refused.PerParticipant);
        _service.AcceptOffer(offer, "p3"); // someone else is not affected
        second.Close("test");
        _service.AcceptOffer(offer, "p2"); // a closed peer frees its place
    }

    private static UdpClient Bound() => new(new IPEndPoint(IPAddress.Loopback, 0));

    private static IPEndPoint Local(UdpClient socket) => (IPEndPoint)socket.Client.LocalEndPoint!;

    private async Task SendCheckAsync(UdpClient from, WebRtcPeer peer, bool nominate, string? password = null)
    {
        var request = StunMessage.Create(StunMessage.BindingRequest)
            .AddString(StunAttributeType.Username, peer.Ice.Local.Ufrag + ":" + BrowserUfrag)
            .AddUInt32(StunAttributeType.Priority, 1845501695)
            .AddUInt64(StunAttributeType.IceControlling, 7);
        if (nominate)
        {
            request.AddFlag(StunAttributeType.UseCandidate);
        }
        await from.SendAsync(request.ToBytes(password ?? peer.Ice.Local.Password), _service.Port.LocalEndPoint);
    }

    /// <summary>Answers the runner's check like a browser: a success signed with the browser's password.</summary>
    private async Task AnswerOurCheckAsync(UdpClient socket)
    {
        var check = await ReceiveStunAsync(socket);
        Assert.Equal(StunMessage.BindingRequest, check.Type);
        Assert.True(check.VerifyIntegrity(BrowserPwd));
        Assert.StartsWith(BrowserUfrag + ":", check.Username);
        var answer = new StunMessage(StunMessage.BindingSuccessResponse, check.TransactionId).AddXorMappedAddress(Local(socket)).ToBytes(BrowserPwd);
        await socket.SendAsync(answer, _service.Port.LocalEndPoint);
    }

    private static async Task ExpectSuccessAsync(UdpClient socket)
    {
        var response = await ReceiveStunAsync(socket);
        Assert.Equal(StunMessage.BindingSuccessResponse, response.Type);
        Assert.Equal(Local(socket), response.XorMappedAddress);
    }

    private static async Task<StunMessage> ReceiveStunAsync(UdpClient socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var datagram = await socket.ReceiveAsync(timeout.Token);
        Assert.True(StunMessage.TryParse(datagram.Buffer, out var message), "not STUN");
        return message;
    }

    private static List<byte[]> Drain(UdpClient socket)
    {
        var all = new List<byte[]>();
        while (socket.Available > 0)
        {
            IPEndPoint? from = null;
            all.Add(socket.Receive(ref from));
        }
        return all;
    }
}
