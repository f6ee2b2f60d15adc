using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// The runner's one UDP socket, shared by every peer. Datagrams are demultiplexed per RFC 7983 by their first
/// byte: 0-3 STUN (requests routed by the local ufrag in USERNAME, responses to a peer's own checks by transaction
/// id), 20-63 DTLS and 128-191 RTP/RTCP (routed by the source address, which must have passed a connectivity check). Anything else, or anything unroutable, is counted and
/// dropped; a failing handler is logged, never fatal.
/// </summary>
public sealed class MediaPort : IDisposable
{
    private const int ReceiveBufferSize = 2048;

    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly Thread _receiver;
    private readonly ConcurrentDictionary<string, IMediaPortPeer> _byUfrag = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IPEndPoint, IMediaPortPeer> _byEndPoint = new();
    private readonly ConcurrentDictionary<string, IMediaPortPeer> _byTransaction = new(StringComparer.Ordinal);
    private volatile bool _disposed;
    private long _received;
    private long _stun;
    private long _dtls;
    private long _rtcp;
    private long _dropped;
    private long _handlerErrors;
    private long _sendErrors;

    public MediaPort(WebRtcTransportOptions options, ILogger<MediaPort> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        var bind = string.IsNullOrWhiteSpace(options.UdpBindAddress) ? IPAddress.Any : IPAddress.Parse(options.UdpBindAddress);
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (bind.Equals(IPAddress.IPv6Any))
            {
                _socket.DualMode = true;
            }
            _socket.ReceiveBufferSize = 1 << 20;
            _socket.SendBufferSize = 2 << 20;
            _socket.Bind(new IPEndPoint(bind, options.UdpPort));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        Candidates = BuildCandidates(options, bind, LocalEndPoint.Port);
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "webrtc-udp" };
        _receiver.Start();
        _logger.LogInformation("WebRTC UDP port {EndPoint}, candidates {Candidates}", LocalEndPoint,
            string.Join(", ", Candidates.Select(c => c.Address)));
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Host candidates (or the configured public address) for every answer.</summary>
    public IReadOnlyList<IceCandidate> Candidates { get; }

    public long DatagramsReceived => Interlocked.Read(ref _received);

    public long StunReceived => Interlocked.Read(ref _stun);

    public long DtlsReceived => Interlocked.Read(ref _dtls);

    public long RtcpReceived => Interlocked.Read(ref _rtcp);

    /// <summary>Datagrams that were malformed, of an unexpected kind, or from nobody we know.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public long HandlerErrors => Interlocked.Read(ref _handlerErrors);

    public long SendErrors => Interlocked.Read(ref _sendErrors);

    public void AddPeer(string localUfrag, IMediaPortPeer peer)
    {
        if (!_byUfrag.TryAdd(localUfrag, peer))
        {
            throw new InvalidOperationException($"ICE ufrag {localUfrag} is already in use.");
        }
    }

    /// <summary>Forgets the peer: its ufrag and every address it was reachable at.</summary>
    public void RemovePeer(string localUfrag, IMediaPortPeer peer)
    {
        _byUfrag.TryRemove(new KeyValuePair<string, IMediaPortPeer>(localUfrag, peer));
        foreach (var entry in _byEndPoint)
        {
            if (ReferenceEquals(entry.Value, peer))
            {
                _byEndPoint.TryRemove(entry);
            }
        }
        foreach (var entry in _byTransaction)
        {
            if (ReferenceEquals(entry.Value, peer))
            {
                _byTransaction.TryRemove(entry);
            }
        }
    }

    /// <summary>The peer sent a Binding request with this transaction id (hex): its response goes to the peer.</summary>
    public void ExpectResponse(string transactionId, IMediaPortPeer peer) => _byTransaction[transactionId] = peer;

    public void ForgetResponse(string transactionId) => _byTransaction.TryRemove(transactionId, out _);

    /// <summary>After a valid check from this address, its DTLS and RTCP go to this peer.</summary>
    public void BindEndPoint(IPEndPoint source, IMediaPortPeer peer) => _byEndPoint[source] = peer;

    public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination)
    {
        if (_disposed)
        {
            return;
        }
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, destination);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _sendErrors);
        }
    }

    /// <summary>Classifies and routes one datagram. Public so fuzz tests can feed it without a socket; never throws.</summary>
    public void HandleDatagram(Span<byte> data, IPEndPoint source)
    {
        Interlocked.Increment(ref _received);
        if (data.IsEmpty)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }
        try
        {
            var first = data[0];
            if (first <= 3)
            {
                HandleStun(data, source);
            }
            else if (first is >= 20 and <= 63)
            {
                Interlocked.Increment(ref _dtls);
                if (_byEndPoint.TryGetValue(source, out var peer))
                {
                    peer.OnDtls(data, source);
                }
                else
                {
                    Interlocked.Increment(ref _dropped);
                }
            }
            else if (first is >= 128 and <= 191 && data.Length >= 8 && data[1] is >= 192 and <= 223)
            {
                // RTCP by its packet type (RFC 5761 section 4); we send video only, so inbound RTP is unexpected.
                Interlocked.Increment(ref _rtcp);
                if (_byEndPoint.TryGetValue(source, out var peer))
                {
                    peer.OnRtcp(data, source);
                }
                else
                {
                    Interlocked.Increment(ref _dropped);
                }
            }
            else
            {
                Interlocked.Increment(ref _dropped);
            }
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _handlerErrors);
            _logger.LogWarning(e, "Datagram from {Source} failed in its handler", source);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _socket.Dispose(); // unblocks ReceiveFrom
        if (Thread.CurrentThread != _receiver)
        {
            _receiver.Join(TimeSpan.FromSeconds(2));
        }
    }

    private void HandleStun(Span<byte> data, IPEndPoint source)
    {
        Interlocked.Increment(ref _stun);
        if (!StunMessage.TryParse(data, out var message))
        {
            Interlocked.Increment(ref _dropped);
            return;
        }
        if (message.IsSuccessResponse || message.IsErrorResponse)
        {
            if (_byTransaction.TryGetValue(Convert.ToHexString(message.TransactionId), out var asker))
            {
                asker.OnStun(message, source);
            }
            else
            {
                Interlocked.Increment(ref _dropped);
            }
            return;
        }
        if (message.Username is not { } username)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }
        var colon = username.IndexOf(':');
        var localUfrag = colon < 0 ? username : username[..colon];
        if (_byUfrag.TryGetValue(localUfrag, out var peer))
        {
            peer.OnStun(message, source);
        }
        else
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[ReceiveBufferSize];
        var address = new SocketAddress(_socket.AddressFamily);
        while (!_disposed)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, address);
            }
            catch (SocketException e) when (!_disposed)
            {
                // ICMP errors surface here on some platforms; the socket itself is fine.
                _logger.LogDebug("UDP receive: {Error}", e.SocketErrorCode);
                continue;
            }
            catch (Exception) when (_disposed)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            IPEndPoint source;
            try
            {
                source = Normalise((IPEndPoint)LocalEndPoint.Create(address));
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }
            HandleDatagram(buffer.AsSpan(0, length), source);
        }
    }

    private static IPEndPoint Normalise(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private static List<IceCandidate> BuildCandidates(WebRtcTransportOptions options, IPAddress bind, int port)
    {
        var addresses = new List<IPAddress>();
        if (!string.IsNullOrWhiteSpace(options.PublicIp))
        {
            addresses.Add(IPAddress.Parse(options.PublicIp));
        }
        if (addresses.Count == 0 || options.KeepHostCandidates)
        {
            addresses.AddRange(HostAddresses(bind).Where(a => !addresses.Contains(a)));
        }
        return addresses.Select((a, i) => new IceCandidate((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), IceCandidate.HostPriority(i), a, port)).ToList();
    }

    private static List<IPAddress> HostAddresses(IPAddress bind)
    {
        if (!bind.Equals(IPAddress.Any) && !bind.Equals(IPAddress.IPv6Any))
        {
            return [bind];
        }
        var withV6 = bind.Equals(IPAddress.IPv6Any);
        var found = new List<IPAddress>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                continue;
            }
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                var address = unicast.Address;
                var usable = address.AddressFamily == AddressFamily.InterNetwork
                    || (withV6 && address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv6LinkLocal && !address.IsIPv6SiteLocal);
                if (usable && !IPAddress.IsLoopback(address) && !found.Contains(address))
                {
                    found.Add(address);
                }
            }
        }
        // IPv4 first: browsers on the same host reach it most reliably.
        found.Sort((a, b) => a.AddressFamily.CompareTo(b.AddressFamily));
        if (found.Count == 0)
        {
            found.Add(withV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback);
        }
        return found;
    }
}
