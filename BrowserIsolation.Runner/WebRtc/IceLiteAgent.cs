using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// The ICE-lite side of one peer (RFC 8445 section 2.5). It answers the browser's authenticated Binding requests,
/// but an address only becomes this peer's (selectable for media, DTLS and RTCP routed from it) once it has
/// answered a Binding request of ours with the browser's MESSAGE-INTEGRITY (RFC 7675 consent). The browser's
/// first request from a new address is held until then, so its side of the pair turns valid only when ours did.
/// A participant who knows the ICE password can therefore not point the stream at a victim by spoofing a check
/// from the victim's address: the victim never answers ours. Selection: the first confirmed address, then
/// whatever the controlling agent nominates (USE-CANDIDATE) once confirmed. No valid check from the selected
/// address for <see cref="ConsentTimeout"/> means the browser is gone.
/// </summary>
public sealed class IceLiteAgent
{
    /// <summary>Addresses awaiting our check at once; beyond that new addresses are ignored until one settles.</summary>
    public const int MaxPendingAddresses = 8;

    private const int MaxHeldRequests = 4;

    /// <summary>Our check is sent again when a new request arrives from the address this long after the last one.</summary>
    private static readonly TimeSpan CheckRetransmit = TimeSpan.FromMilliseconds(200);

    // RFC 8445 section 5.1.2.1 peer-reflexive priority (type preference 110) for the PRIORITY of our checks.
    private const uint CheckPriority = (110u << 24) | (65535u << 8) | 255u;

    private readonly Lock _gate = new();
    private readonly byte[] _localKey;
    private readonly byte[] _remoteKey;
    private readonly string _expectedUsername;
    private readonly string _checkUsername;
    private readonly ulong _tieBreaker = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private readonly TimeProvider _time;
    private readonly HashSet<IPEndPoint> _confirmed = [];
    private readonly Dictionary<IPEndPoint, PendingAddress> _pending = [];
    private IPEndPoint? _selected;
    private bool _nominated;
    private long _lastConsent;
    private long _validChecks;
    private long _checksSent;

    public IceLiteAgent(IceCredentials local, string remoteUfrag, string remotePassword, TimeSpan consentTimeout, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(remoteUfrag);
        ArgumentException.ThrowIfNullOrEmpty(remotePassword);
        Local = local;
        RemoteUfrag = remoteUfrag;
        ConsentTimeout = consentTimeout;
        _time = time ?? TimeProvider.System;
        _localKey = Encoding.UTF8.GetBytes(local.Password);
        _remoteKey = Encoding.UTF8.GetBytes(remotePassword);
        _expectedUsername = local.Ufrag + ":" + remoteUfrag;
        _checkUsername = remoteUfrag + ":" + local.Ufrag;
        _lastConsent = _time.GetTimestamp();
    }

    public IceCredentials Local { get; }

    public string RemoteUfrag { get; }

    public TimeSpan ConsentTimeout { get; }

    public IPEndPoint? SelectedEndPoint
    {
        get { lock (_gate) { return _selected; } }
    }

    public bool IsNominated
    {
        get { lock (_gate) { return _nominated; } }
    }

    /// <summary>Authenticated Binding requests from the browser.</summary>
    public long ValidChecks => Interlocked.Read(ref _validChecks);

    /// <summary>Binding requests we sent to confirm an address.</summary>
    public long ChecksSent => Interlocked.Read(ref _checksSent);

    /// <summary>True when no valid check arrived for the consent timeout (counted from creation before the first one).</summary>
    public bool IsConsentExpired => _time.GetElapsedTime(Interlocked.Read(ref _lastConsent)) > ConsentTimeout;

    /// <summary>True when this source has answered our check, so DTLS/RTCP from it belongs to this peer.</summary>
    public bool IsValidated(IPEndPoint source)
    {
        lock (_gate)
        {
            return _confirmed.Contains(source);
        }
    }

    /// <summary>Handles a STUN message routed to this agent (a request, or the answer to our check); never throws.</summary>
    public IceCheckResult Handle(StunMessage message, IPEndPoint source)
    {
        if ((message.IsSuccessResponse || message.IsErrorResponse) && message.Method == 1)
        {
            return HandleCheckResponse(message, source);
        }
        if (message.Type != StunMessage.BindingRequest || !message.HasFingerprint)
        {
            // Indications (keep-alives) need nothing from a lite agent; ICE requires FINGERPRINT on every check
            // (RFC 8445 section 7.2.2), so a request without one is not ICE.
            return IceCheckResult.Dropped;
        }
        // RFC 5389 section 10.1.2: both attributes are required for short-term credentials.
        if (!message.HasIntegrity || message.Username is not { } username)
        {
            return Error(message, 400, "Bad Request", authenticated: false);
        }
        if (!string.Equals(username, _expectedUsername, StringComparison.Ordinal) || !message.VerifyIntegrity(_localKey))
        {
            return Error(message, 401, "Unauthorized", authenticated: false);
        }
        var unknown = message.Attributes
            .Select(a => a.Type)
            .Where(t => StunAttributeType.IsComprehensionRequired(t) && !StunAttributeType.IsKnown(t))
            .Distinct()
            .ToList();
        if (unknown.Count > 0)
        {
            return Error(message, 420, "Unknown Attribute", authenticated: true, unknown);
        }
        // A lite agent is always controlled; a peer that also claims to be controlled has the roles wrong (RFC 8445 7.3.1.1).
        if (message.IceControlled is not null)
        {
            return Error(message, 487, "Role Conflict", authenticated: true);
        }
        Interlocked.Increment(ref _validChecks);

        lock (_gate)
        {
            if (_confirmed.Contains(source))
            {
                var changed = Select(source, message.UseCandidate);
                return new IceCheckResult([Success(message.TransactionId, source)], IsValid: true, changed, 0)
                {
                    Selected = _selected,
                    Confirmed = true,
                };
            }
            return HoldUntilConfirmed(message, source);
        }
    }

    /// <summary>The browser's request from an unconfirmed address waits for the address to answer our own check.</summary>
    private IceCheckResult HoldUntilConfirmed(StunMessage request, IPEndPoint source)
    {
        if (!_pending.TryGetValue(source, out var pending))
        {
            if (_pending.Count >= MaxPendingAddresses)
            {
                return new IceCheckResult([], IsValid: true, SelectedChanged: false, 0);
            }
            pending = new PendingAddress();
            _pending[source] = pending;
        }
        pending.Nominate |= request.UseCandidate;
        if (pending.Held.Count >= MaxHeldRequests)
        {
            pending.Held.RemoveAt(0);
        }
        pending.Held.Add(request.TransactionId.ToArray());
        if (pending.CheckKey is not null && _time.GetElapsedTime(pending.SentAt) < CheckRetransmit)
        {
            return new IceCheckResult([], IsValid: true, SelectedChanged: false, 0);
        }
        var retired = pending.CheckKey;
        var check = StunMessage.Create(StunMessage.BindingRequest)
            .AddString(StunAttributeType.Username, _checkUsername)
            .AddUInt32(StunAttributeType.Priority, CheckPriority)
            .AddUInt64(StunAttributeType.IceControlled, _tieBreaker);
        pending.CheckKey = Convert.ToHexString(check.TransactionId);
        pending.SentAt = _time.GetTimestamp();
        Interlocked.Increment(ref _checksSent);
        return new IceCheckResult([check.ToBytes(_remoteKey)], IsValid: true, SelectedChanged: false, 0)
        {
            CheckSent = pending.CheckKey,
            CheckRetired = retired,
        };
    }

    /// <summary>The answer to our check: from the address we asked, signed with the browser's password.</summary>
    private IceCheckResult HandleCheckResponse(StunMessage response, IPEndPoint source)
    {
        var key = Convert.ToHexString(response.TransactionId);
        lock (_gate)
        {
            // RFC 8445 section 7.2.5.2.1: a response from another address than the one asked is a failure.
            if (!_pending.TryGetValue(source, out var pending) || pending.CheckKey != key
                || !response.HasIntegrity || !response.VerifyIntegrity(_remoteKey))
            {
                return IceCheckResult.Dropped;
            }
            _pending.Remove(source);
            if (response.IsErrorResponse)
            {
                return IceCheckResult.Dropped with { CheckRetired = key };
            }
            _confirmed.Add(source);
            var changed = Select(source, pending.Nominate);
            var replies = pending.Held.Select(id => Success(id, source)).ToList();
            return new IceCheckResult(replies, IsValid: true, changed, 0)
            {
                Selected = _selected,
                Confirmed = true,
                CheckRetired = key,
            };
        }
    }

    /// <summary>Moves the selection to a confirmed address when it is the first or nominated; refreshes consent. Under the lock.</summary>
    private bool Select(IPEndPoint source, bool nominate)
    {
        var changed = _selected is null || (nominate && !_selected.Equals(source));
        if (changed)
        {
            _selected = source;
        }
        _nominated |= nominate;
        if (source.Equals(_selected))
        {
            Interlocked.Exchange(ref _lastConsent, _time.GetTimestamp());
        }
        return changed;
    }

    private byte[] Success(ReadOnlySpan<byte> transactionId, IPEndPoint source) =>
        new StunMessage(StunMessage.BindingSuccessResponse, transactionId).AddXorMappedAddress(source).ToBytes(_localKey);

    private IceCheckResult Error(StunMessage request, int code, string reason, bool authenticated, IReadOnlyList<ushort>? unknown = null)
    {
        var response = new StunMessage(StunMessage.BindingErrorResponse, request.TransactionId).AddErrorCode(code, reason);
        if (unknown is not null)
        {
            response.AddUnknownAttributes(unknown);
        }
        // An error to an unauthenticated request carries no MESSAGE-INTEGRITY (RFC 5389 section 10.1.2).
        var bytes = authenticated ? response.ToBytes(_localKey) : response.ToBytes();
        return new IceCheckResult([bytes], IsValid: false, SelectedChanged: false, code);
    }

    private sealed class PendingAddress
    {
        public List<byte[]> Held { get; } = [];

        public string? CheckKey { get; set; }

        public long SentAt { get; set; }

        public bool Nominate { get; set; }
    }
}
