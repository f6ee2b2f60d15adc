using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// The least TURN client (RFC 8656) over UDP that tests need: Allocate with long-term credentials (the 401 realm/nonce
/// round first), then CreatePermission. A permission sends nothing to the peer; the server decides it alone.
/// </summary>
public sealed class TurnClient(IPEndPoint server) : IDisposable
{
    public const ushort AllocateRequest = 0x0003;
    public const ushort CreatePermissionRequest = 0x0008;
    private const ushort RequestedTransport = 0x0019;
    private const ushort XorPeerAddress = 0x0012;

    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private string _username = "";
    private string _realm = "";
    private string _nonce = "";
    private byte[] _key = [];

    /// <summary>Allocates a UDP relay as <paramref name="username"/>; returns the server's final answer.</summary>
    public async Task<StunMessage> AllocateAsync(string username, string password)
    {
        var challenge = await ExchangeAsync(WithTransport(StunMessage.Create(AllocateRequest)), key: null);
        if (challenge.Error?.Code != 401 || TryString(challenge, StunAttributeType.Realm) is not { } realm
            || TryString(challenge, StunAttributeType.Nonce) is not { } nonce)
        {
            throw new InvalidOperationException($"expected a 401 challenge, got {challenge.Type:x4} {challenge.Error}");
        }
        (_username, _realm, _nonce) = (username, realm, nonce);
        _key = MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{password}"));
        return await ExchangeAsync(WithTransport(Authenticated(AllocateRequest)), _key);
    }

    /// <summary>Asks for a permission towards <paramref name="peer"/> on the allocation.</summary>
    public Task<StunMessage> CreatePermissionAsync(IPAddress peer)
    {
        var request = Authenticated(CreatePermissionRequest);
        var encoded = new StunMessage(CreatePermissionRequest, request.TransactionId).AddXorMappedAddress(new IPEndPoint(peer, 0));
        request.Add(XorPeerAddress, encoded.Attributes[0].Value.Span);
        return ExchangeAsync(request, _key);
    }

    public void Dispose() => _socket.Dispose();

    private StunMessage Authenticated(ushort type) => StunMessage.Create(type)
        .AddString(StunAttributeType.Username, _username)
        .AddString(StunAttributeType.Realm, _realm)
        .AddString(StunAttributeType.Nonce, _nonce);

    private static StunMessage WithTransport(StunMessage request) => request.Add(RequestedTransport, [17, 0, 0, 0]);

    private async Task<StunMessage> ExchangeAsync(StunMessage request, byte[]? key)
    {
        var bytes = key is null ? request.ToBytes() : request.ToBytes(key);
        for (var attempt = 0; attempt < 4; attempt++)
        {
            await _socket.SendAsync(bytes, server);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                while (true)
                {
                    var datagram = await _socket.ReceiveAsync(timeout.Token);
                    if (StunMessage.TryParse(datagram.Buffer, out var response) && response.TransactionId.SequenceEqual(request.TransactionId))
                    {
                        return response;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // lost: send again
            }
        }
        throw new TimeoutException($"the TURN server at {server} did not answer");
    }

    private static string? TryString(StunMessage message, ushort type) =>
        message.TryGetAttribute(type, out var value) ? Encoding.UTF8.GetString(value.Span) : null;
}
