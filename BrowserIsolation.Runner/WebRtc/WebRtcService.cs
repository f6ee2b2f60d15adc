using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// The runner's WebRTC endpoint: one certificate, one UDP port, many peers. Answers offers, attaches media to
/// peers once connected, and removes peers that close, fail or lose consent.
/// </summary>
public sealed class WebRtcService : IDisposable
{
    private readonly WebRtcTransportOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly IWebRtcMediaSource? _media;
    private readonly ConcurrentDictionary<string, WebRtcPeer> _peers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IDisposable> _attachments = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Timer> _expiries = new(StringComparer.Ordinal);
    private readonly Timer _sweeper;
    private readonly Lock _admission = new();
    private long _peersCreated;
    private bool _disposed;

    public WebRtcService(IOptions<WebRtcTransportOptions> options, ILoggerFactory loggers, IWebRtcMediaSource? media = null)
    {
        _options = options.Value;
        _loggers = loggers;
        _logger = loggers.CreateLogger<WebRtcService>();
        _media = media;
        Context = new DtlsContext();
        try
        {
            Port = new MediaPort(_options, loggers.CreateLogger<MediaPort>());
        }
        catch
        {
            Context.Dispose();
            throw;
        }
        _sweeper = new Timer(_ => Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The close reason of a peer whose join token expired.</summary>
    public const string TokenExpired = "token_expired";

    public DtlsContext Context { get; }

    public MediaPort Port { get; }

    public IReadOnlyCollection<WebRtcPeer> Peers => [.. _peers.Values];

    public long PeersCreated => Interlocked.Read(ref _peersCreated);

    /// <summary>Fires when a peer is connected (after media was attached).</summary>
    public event Action<WebRtcPeer>? PeerConnected;

    /// <summary>Fires when a peer was removed.</summary>
    public event Action<WebRtcPeer>? PeerRemoved;

    public WebRtcPeer? FindPeer(string id) => _peers.TryGetValue(id, out var peer) ? peer : null;

    /// <summary>
    /// Answers an offer and starts a peer, closed at <paramref name="expiresAt"/> (the join token's expiry) when given.
    /// Throws <see cref="SdpException"/> or <see cref="WebRtcCapacityException"/>.
    /// </summary>
    public WebRtcPeer AcceptOffer(string offerSdp, string? participant = null, DateTimeOffset? expiresAt = null)
    {
        var offer = SdpOffer.Parse(offerSdp);
        var ice = IceCredentials.Generate();
        var answer = SdpAnswerBuilder.Answer(offer, new SdpAnswerOptions
        {
            Ice = ice,
            Fingerprint = Context.LocalFingerprint,
            Candidates = Port.Candidates,
            VideoSsrc = RandomSsrc(),
            RtxSsrc = RandomSsrc(),
            AudioSsrc = _media?.HasAudio == true ? RandomSsrc() : null,
            Cname = "bi-" + ice.Ufrag,
            PreferDtlsClient = _options.PreferDtlsClient,
            TransportCc = _options.TransportCc,
        });
        lock (_admission)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_peers.Count >= _options.MaxPeers)
            {
                throw new WebRtcCapacityException($"This runner already serves {_peers.Count} WebRTC peers (Media:MaxPeers).");
            }
            if (participant is not null &&
                _peers.Values.Count(p => p.Participant == participant && p.State != WebRtcPeerState.Closed) >= _options.MaxPeersPerParticipant)
            {
                throw new WebRtcCapacityException(
                    $"This participant already has {_options.MaxPeersPerParticipant} WebRTC peers (Media:MaxPeersPerParticipant); close one first.",
                    perParticipant: true);
            }
            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            var peer = new WebRtcPeer(id, answer, ice, Port, Context, TimeSpan.FromSeconds(_options.ConsentTimeoutSeconds),
                Math.Clamp(_options.Mtu, 600, 1500), _loggers.CreateLogger<WebRtcPeer>());
            peer.Participant = participant;
            peer.Connected += OnPeerConnected;
            peer.Closed += OnPeerClosed;
            _peers[id] = peer;
            Interlocked.Increment(ref _peersCreated);
            if (expiresAt is { } expiry)
            {
                ExpireAt(peer, expiry);
            }
            return peer;
        }
    }

    /// <summary>Closes and removes one peer; false when unknown.</summary>
    public bool ClosePeer(string id, string reason)
    {
        if (!_peers.ContainsKey(id))
        {
            return false;
        }
        _peers[id].Close(reason);
        return true;
    }

    public void Dispose()
    {
        lock (_admission)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        _sweeper.Dispose();
        foreach (var peer in _peers.Values)
        {
            peer.Close("runner shutting down");
        }
        Port.Dispose();
        Context.Dispose();
    }

    private void OnPeerConnected(WebRtcPeer peer)
    {
        if (_media is not null)
        {
            try
            {
                _attachments[peer.Id] = _media.Attach(peer);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Attaching media to peer {Peer} failed", peer.Id);
                peer.Close("media attach failed");
                return;
            }
        }
        if (peer.State == WebRtcPeerState.Closed)
        {
            Detach(peer); // closed while attaching
            return;
        }
        PeerConnected?.Invoke(peer);
    }

    /// <summary>A join token's expiry reaches its open peer too (the relay closes its WebSocket at the same moment).</summary>
    private void ExpireAt(WebRtcPeer peer, DateTimeOffset expiry)
    {
        var due = expiry - DateTimeOffset.UtcNow;
        if (due <= TimeSpan.Zero)
        {
            peer.Close(TokenExpired);
            return;
        }
        _expiries[peer.Id] = new Timer(_ => peer.Close(TokenExpired), null, due, Timeout.InfiniteTimeSpan);
    }

    private void OnPeerClosed(WebRtcPeer peer)
    {
        if (_expiries.TryRemove(peer.Id, out var expiry))
        {
            expiry.Dispose();
        }
        Detach(peer);
        if (_peers.TryRemove(new KeyValuePair<string, WebRtcPeer>(peer.Id, peer)))
        {
            // Dispose off the caller's stack: Closed can fire from inside the peer's own DTLS processing.
            ThreadPool.QueueUserWorkItem(_ => peer.Dispose());
            PeerRemoved?.Invoke(peer);
        }
    }

    private void Detach(WebRtcPeer peer)
    {
        if (_attachments.TryRemove(peer.Id, out var attachment))
        {
            try
            {
                attachment.Dispose();
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Detaching media from peer {Peer} failed", peer.Id);
            }
        }
    }

    private void Sweep()
    {
        foreach (var peer in _peers.Values)
        {
            if (peer.IsConsentExpired)
            {
                peer.Close(peer.State == WebRtcPeerState.New
                    ? "no connectivity check arrived in time"
                    : "consent expired: no connectivity check for " + _options.ConsentTimeoutSeconds + " s");
            }
        }
    }

    private static uint RandomSsrc() => BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4)) | 1;
}
