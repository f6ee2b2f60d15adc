using System.Net;
using System.Text;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// The ICE-lite side of one peer (RFC 8445 section 2.5): it never sends checks, it answers the browser's
/// authenticated Binding requests, selects the remote address (the first valid check, then whatever the controlling
/// agent nominates with USE-CANDIDATE) and keeps consent (RFC 7675): no valid check for <see cref="ConsentTimeout"/>
/// means the browser is gone.
/// </summary>
public sealed class IceLiteAgent
{
    private readonly Lock _gate = new();
    private readonly byte[] _localKey;
    private readonly string _expectedUsername;
    private readonly TimeProvider _time;
    private readonly HashSet<IPEndPoint> _validated = [];
    private IPEndPoint? _selected;
    private bool _nominated;
    private long _lastConsent;
    private long _validChecks;

    public IceLiteAgent(IceCredentials local, string remoteUfrag, TimeSpan consentTimeout, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(remoteUfrag);
        Local = local;
        RemoteUfrag = remoteUfrag;
        ConsentTimeout = consentTimeout;
        _time = time ?? TimeProvider.System;
        _localKey = Encoding.UTF8.GetBytes(local.Password);
        _expectedUsername = local.Ufrag + ":" + remoteUfrag;
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

    public long ValidChecks => Interlocked.Read(ref _validChecks);

    /// <summary>True when no valid check arrived for the consent timeout (counted from creation before the first one).</summary>
    public bool IsConsentExpired => _time.GetElapsedTime(Interlocked.Read(ref _lastConsent)) > ConsentTimeout;

    /// <summary>True when this source has passed a connectivity check, so DTLS/RTCP from it belongs to this peer.</summary>
    public bool IsValidated(IPEndPoint source)
    {
        lock (_gate)
        {
            return _validated.Contains(source);
        }
    }

    /// <summary>Handles a STUN message routed to this agent; never throws.</summary>
    public IceCheckResult Handle(StunMessage message, IPEndPoint source)
    {
        if (message.Type != StunMessage.BindingRequest || !message.HasFingerprint)
        {
            // Indications (keep-alives) and stray responses need nothing from a lite agent; ICE requires
            // FINGERPRINT on every check (RFC 8445 section 7.2.2), so a request without one is not ICE.
            return IceCheckResult.Dropped;
        }
        // RFC 5389 section 10.1.2: both attributes are required for short-term credentials.
        if (!message.HasIntegrity || message.Username is not { } username)
        {
            return Error(message, source, 400, "Bad Request", authenticated: false);
        }
        if (!string.Equals(username, _expectedUsername, StringComparison.Ordinal) || !message.VerifyIntegrity(_localKey))
        {
            return Error(message, source, 401, "Unauthorized", authenticated: false);
        }
        var unknown = message.Attributes
            .Select(a => a.Type)
            .Where(t => StunAttributeType.IsComprehensionRequired(t) && !StunAttributeType.IsKnown(t))
            .Distinct()
            .ToList();
        if (unknown.Count > 0)
        {
            return Error(message, source, 420, "Unknown Attribute", authenticated: true, unknown);
        }
        // A lite agent is always controlled; a peer that also claims to be controlled has the roles wrong (RFC 8445 7.3.1.1).
        if (message.IceControlled is not null)
        {
            return Error(message, source, 487, "Role Conflict", authenticated: true);
        }

        bool changed;
        IPEndPoint selected;
        lock (_gate)
        {
            _validated.Add(source);
            var nominate = message.UseCandidate;
            changed = _selected is null || (nominate && !_selected.Equals(source));
            if (changed)
            {
                _selected = source;
            }
            _nominated |= nominate;
            selected = _selected!;
        }
        Interlocked.Exchange(ref _lastConsent, _time.GetTimestamp());
        Interlocked.Increment(ref _validChecks);

        var response = new StunMessage(StunMessage.BindingSuccessResponse, message.TransactionId).AddXorMappedAddress(source);
        return new IceCheckResult(response.ToBytes(_localKey), IsValid: true, changed, 0) { Selected = selected };
    }

    private IceCheckResult Error(StunMessage request, IPEndPoint source, int code, string reason, bool authenticated, IReadOnlyList<ushort>? unknown = null)
    {
        var response = new StunMessage(StunMessage.BindingErrorResponse, request.TransactionId).AddErrorCode(code, reason);
        if (unknown is not null)
        {
            response.AddUnknownAttributes(unknown);
        }
        // An error to an unauthenticated request carries no MESSAGE-INTEGRITY (RFC 5389 section 10.1.2).
        var bytes = authenticated ? response.ToBytes(_localKey) : response.ToBytes();
        return new IceCheckResult(bytes, IsValid: false, SelectedChanged: false, code);
    }
}
