using System.Buffers;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// One browser: ICE-lite on the shared port, then DTLS from the selected address, then SRTP keyed by DTLS.
/// Media is attached from outside once <see cref="Connected"/> fires: it sends RTP with <see cref="SendRtp"/> and
/// gets the browser's RTCP through <see cref="RtcpReceived"/>.
/// </summary>
public sealed class WebRtcPeer : IMediaPortPeer, IDisposable
{
    private readonly Lock _gate = new();
    private readonly MediaPort _port;
    private readonly ILogger _logger;
    private readonly IceLiteAgent _ice;
    private readonly DtlsTransport _dtls;
    private readonly long _createdAt = Stopwatch.GetTimestamp();
    private IPEndPoint? _remote;
    private SrtpSession? _srtp;
    private WebRtcPeerState _state;
    private string? _closeReason;
    private long _rtpSent;
    private long _rtcpReceived;

    public WebRtcPeer(string id, SdpAnswer answer, IceCredentials local, MediaPort port, DtlsContext dtls, TimeSpan consentTimeout, int mtu, ILogger logger)
    {
        Id = id;
        Answer = answer;
        Mtu = mtu;
        _port = port;
        _logger = logger;
        _ice = new IceLiteAgent(local, answer.RemoteIceUfrag, answer.RemoteIcePwd, consentTimeout);
        _dtls = new DtlsTransport(dtls, answer.LocalDtlsRole, answer.RemoteFingerprint, SendToRemote, mtu);
        _dtls.Connected += OnDtlsConnected;
        _dtls.Failed += (_, reason) => Close("DTLS failed: " + reason);
        _dtls.Closed += _ => Close("the browser closed DTLS");
        port.AddPeer(local.Ufrag, this);
    }

    public string Id { get; }

    /// <summary>Largest datagram sent to this browser (Media:Mtu): DTLS flights and RTP packets stay within it.</summary>
    public int Mtu { get; }

    public SdpAnswer Answer { get; }

    /// <summary>Who this viewer is (the orchestrator passes ?participant=), for stats and logs.</summary>
    public string? Participant { get; internal set; }

    public NegotiatedVideo Video => Answer.Video;

    public WebRtcPeerState State
    {
        get { lock (_gate) { return _state; } }
    }

    public string? CloseReason
    {
        get { lock (_gate) { return _closeReason; } }
    }

    public IPEndPoint? RemoteEndPoint => Volatile.Read(ref _remote);

    public DtlsTransport Dtls => _dtls;

    public IceLiteAgent Ice => _ice;

    /// <summary>From the answer to SRTP being keyed.</summary>
    public TimeSpan? TimeToConnected { get; private set; }

    public long RtpPacketsSent => Interlocked.Read(ref _rtpSent);

    /// <summary>
    /// Fault injection for tests (loss on the real path): called with each outgoing RTP packet's index, true drops
    /// it after protection, as a lossy network would.
    /// </summary>
    internal Func<long, bool>? DropOutgoingRtp { get; set; }

    /// <summary>The video stream sent to this peer, once media is attached (null without media).</summary>
    public VideoRtpSender? VideoSender { get; internal set; }

    /// <summary>The Opus stream sent to this peer, when its answer has audio.</summary>
    public AudioRtpSender? AudioSender { get; internal set; }

    public long RtcpPacketsReceived => Interlocked.Read(ref _rtcpReceived);

    /// <summary>Fires once, outside any lock, when SRTP is ready.</summary>
    public event Action<WebRtcPeer>? Connected;

    /// <summary>Fires once when the peer reaches <see cref="WebRtcPeerState.Closed"/>.</summary>
    public event Action<WebRtcPeer>? Closed;

    /// <summary>Decrypted RTCP from the browser, on the port's receive thread.</summary>
    public event RtcpHandler? RtcpReceived;

    /// <summary>Protects one RTP packet and sends it to the browser; false when not connected or protection failed.</summary>
    public bool SendRtp(ReadOnlySpan<byte> packet) => SendProtected(packet, rtcp: false);

    /// <summary>Protects one (compound) RTCP packet and sends it to the browser.</summary>
    public bool SendRtcp(ReadOnlySpan<byte> packet) => SendProtected(packet, rtcp: true);

    /// <summary>True when consent expired (no valid check for the timeout); the owner then closes the peer.</summary>
    public bool IsConsentExpired => _ice.IsConsentExpired;

    public void OnStun(StunMessage message, IPEndPoint source)
    {
        if (State == WebRtcPeerState.Closed)
        {
            return;
        }
        var result = _ice.Handle(message, source);
        if (result.CheckRetired is { } retired)
        {
            _port.ForgetResponse(retired);
        }
        if (result.CheckSent is { } sent)
        {
            _port.ExpectResponse(sent, this);
        }
        if (!result.Confirmed)
        {
            // Not (yet) an address that answered our own check: at most our answer or our check goes to it.
            SendReplies(result, source);
            return;
        }
        // Route its DTLS and RTCP to us before the browser hears its check succeeded (it starts DTLS then).
        _port.BindEndPoint(source, this);
        if (State == WebRtcPeerState.Closed)
        {
            _port.RemovePeer(_ice.Local.Ufrag, this); // closed meanwhile: undo the binding
            return;
        }
        var startDtls = false;
        if (result.SelectedChanged && result.Selected is { } selected)
        {
            Volatile.Write(ref _remote, selected);
            lock (_gate)
            {
                if (_state == WebRtcPeerState.New)
                {
                    _state = WebRtcPeerState.Connecting;
                    startDtls = _dtls.Role == DtlsRole.Client;
                }
            }
            _logger.LogDebug("Peer {Peer}: ICE selected {Remote} (nominated {Nominated})", Id, selected, _ice.IsNominated);
        }
        SendReplies(result, source);
        if (startDtls)
        {
            _dtls.Start();
        }
    }

    private void SendReplies(IceCheckResult result, IPEndPoint source)
    {
        foreach (var reply in result.Replies ?? [])
        {
            _port.Send(reply, source);
        }
    }

    public void OnDtls(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        if (State != WebRtcPeerState.Closed)
        {
            _dtls.HandleDatagram(datagram);
        }
    }

    public void OnRtcp(Span<byte> datagram, IPEndPoint source)
    {
        var srtp = Volatile.Read(ref _srtp);
        if (srtp is null)
        {
            return;
        }
        var length = datagram.Length;
        if (!srtp.TryUnprotectRtcp(datagram, ref length))
        {
            return;
        }
        Interlocked.Increment(ref _rtcpReceived);
        RtcpReceived?.Invoke(datagram[..length]);
    }

    /// <summary>Sends close_notify (when connected), leaves the port and fires <see cref="Closed"/>. Idempotent.</summary>
    public void Close(string reason)
    {
        lock (_gate)
        {
            if (_state == WebRtcPeerState.Closed)
            {
                return;
            }
            _state = WebRtcPeerState.Closed;
            _closeReason = reason;
        }
        _logger.LogInformation("Peer {Peer} closed: {Reason}", Id, reason);
        _dtls.Close();
        _port.RemovePeer(_ice.Local.Ufrag, this);
        Closed?.Invoke(this);
    }

    public void Dispose()
    {
        Close("disposed");
        _dtls.Dispose();
        Interlocked.Exchange(ref _srtp, null)?.Dispose();
    }

    private void OnDtlsConnected(DtlsTransport dtls)
    {
        var keys = dtls.Keys!;
        SrtpSession srtp;
        try
        {
            srtp = new SrtpSession(keys);
        }
        catch (Exception e)
        {
            Close("SRTP setup failed: " + e.Message);
            return;
        }
        lock (_gate)
        {
            if (_state == WebRtcPeerState.Closed)
            {
                srtp.Dispose();
                return;
            }
            _srtp = srtp;
            _state = WebRtcPeerState.Connected;
            TimeToConnected = Stopwatch.GetElapsedTime(_createdAt);
        }
        _logger.LogInformation("Peer {Peer} connected from {Remote}: {Cipher}, {Profile}, DTLS {Handshake:F1} ms in {Flights} flight(s)",
            Id, RemoteEndPoint, dtls.CipherSuite, keys.Profile, dtls.HandshakeDuration?.TotalMilliseconds, dtls.HandshakeFlightsSent);
        Connected?.Invoke(this);
    }

    private void SendToRemote(ReadOnlySpan<byte> datagram)
    {
        if (Volatile.Read(ref _remote) is { } remote)
        {
            _port.Send(datagram, remote);
        }
    }

    private bool SendProtected(ReadOnlySpan<byte> packet, bool rtcp)
    {
        var srtp = Volatile.Read(ref _srtp);
        var remote = Volatile.Read(ref _remote);
        if (srtp is null || remote is null || packet.Length < (rtcp ? 8 : 12))
        {
            return false;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(packet.Length + SrtpSession.MaxTrailerLength);
        try
        {
            packet.CopyTo(buffer);
            var length = packet.Length;
            var ok = rtcp ? srtp.TryProtectRtcp(buffer, ref length) : srtp.TryProtectRtp(buffer, ref length);
            if (!ok)
            {
                return false;
            }
            if (!rtcp)
            {
                var index = Interlocked.Increment(ref _rtpSent);
                if (DropOutgoingRtp?.Invoke(index) == true)
                {
                    return true;
                }
            }
            _port.Send(buffer.AsSpan(0, length), remote);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
