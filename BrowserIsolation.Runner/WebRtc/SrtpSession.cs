using System.Runtime.InteropServices;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// SRTP/SRTCP for one peer through libsrtp2 (Debian's libsrtp2-1): an outbound context keyed with our DTLS key
/// and salt (protect RTP and RTCP) and an inbound one keyed with the peer's (unprotect). Two contexts so that the
/// media thread protecting and the socket thread unprotecting never wait on each other.
/// </summary>
public sealed unsafe partial class SrtpSession : IDisposable
{
    /// <summary>Room a buffer needs past the packet for protect (tag, MKI, SRTCP index).</summary>
    public const int MaxTrailerLength = 148;

    private const string Library = "libsrtp2.so.1";
    private const int PolicySize = 128;          // sizeof(srtp_policy_t) in libsrtp 2.5 on x64
    private const int PolicyRtpOffset = 8;
    private const int PolicyRtcpOffset = 32;
    private const int PolicyKeyOffset = 56;
    private const int PolicyWindowSizeOffset = 88;
    private const int PolicyAllowRepeatTxOffset = 96;
    private const int SsrcAnyInbound = 2;
    private const int SsrcAnyOutbound = 3;
    private const int ReplayWindow = 1024;

    private static readonly Lazy<int> Initialised = new(srtp_init);

    private readonly Lock _outboundGate = new();
    private readonly Lock _inboundGate = new();
    private nint _outbound;
    private nint _inbound;
    private long _failures;

    public SrtpSession(SrtpKeyMaterial keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (Initialised.Value != 0)
        {
            throw new InvalidOperationException($"srtp_init failed with status {Initialised.Value}.");
        }
        Profile = keys.Profile;
        _outbound = Create(keys.Profile, keys.LocalKey, keys.LocalSalt, SsrcAnyOutbound);
        try
        {
            _inbound = Create(keys.Profile, keys.RemoteKey, keys.RemoteSalt, SsrcAnyInbound);
        }
        catch
        {
            srtp_dealloc(_outbound);
            throw;
        }
    }

    public SrtpProfile Profile { get; }

    /// <summary>Packets protect or unprotect refused (authentication failures, replays, malformed input).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Encrypts the RTP packet in buffer[..length] in place; buffer needs <see cref="MaxTrailerLength"/> spare bytes.</summary>
    public bool TryProtectRtp(Span<byte> buffer, ref int length) => Run(buffer, ref length, outbound: true, rtcp: false);

    public bool TryProtectRtcp(Span<byte> buffer, ref int length) => Run(buffer, ref length, outbound: true, rtcp: true);

    /// <summary>Checks and decrypts an SRTCP packet in place; false (and no exception) for anything that fails.</summary>
    public bool TryUnprotectRtcp(Span<byte> buffer, ref int length) => Run(buffer, ref length, outbound: false, rtcp: true);

    public bool TryUnprotectRtp(Span<byte> buffer, ref int length) => Run(buffer, ref length, outbound: false, rtcp: false);

    public void Dispose()
    {
        lock (_outboundGate)
        {
            if (_outbound != 0)
            {
                srtp_dealloc(_outbound);
                _outbound = 0;
            }
        }
        lock (_inboundGate)
        {
            if (_inbound != 0)
            {
                srtp_dealloc(_inbound);
                _inbound = 0;
            }
        }
    }

    private bool Run(Span<byte> buffer, ref int length, bool outbound, bool rtcp)
    {
        // libsrtp reads the header without checking the length against it: refuse what cannot be RTP/RTCP.
        var minimum = rtcp ? 8 : 12;
        var capacity = outbound ? length + MaxTrailerLength : length;
        if (length < minimum || capacity > buffer.Length || length > 65535)
        {
            Interlocked.Increment(ref _failures);
            return false;
        }
        int status;
        var size = length;
        fixed (byte* p = buffer)
        {
            var gate = outbound ? _outboundGate : _inboundGate;
            lock (gate)
            {
                var session = outbound ? _outbound : _inbound;
                if (session == 0)
                {
                    return false;
                }
                status = (outbound, rtcp) switch
                {
                    (true, false) => srtp_protect(session, p, &size),
                    (true, true) => srtp_protect_rtcp(session, p, &size),
                    (false, false) => srtp_unprotect(session, p, &size),
                    (false, true) => srtp_unprotect_rtcp(session, p, &size),
                };
            }
        }
        if (status != 0)
        {
            Interlocked.Increment(ref _failures);
            return false;
        }
        length = size;
        return true;
    }

    private static nint Create(SrtpProfile profile, byte[] key, byte[] salt, int ssrcType)
    {
        var policy = stackalloc byte[PolicySize];
        new Span<byte>(policy, PolicySize).Clear();
        *(int*)policy = ssrcType;
        switch (profile)
        {
            case SrtpProfile.AeadAes128Gcm:
                srtp_crypto_policy_set_aes_gcm_128_16_auth(policy + PolicyRtpOffset);
                srtp_crypto_policy_set_aes_gcm_128_16_auth(policy + PolicyRtcpOffset);
                break;
            case SrtpProfile.Aes128CmSha1_80:
                srtp_crypto_policy_set_rtp_default(policy + PolicyRtpOffset);
                srtp_crypto_policy_set_rtcp_default(policy + PolicyRtcpOffset);
                break;
            default:
                throw new NotSupportedException($"SRTP profile {profile} is not supported.");
        }
        var keyAndSalt = new byte[key.Length + salt.Length];
        key.CopyTo(keyAndSalt, 0);
        salt.CopyTo(keyAndSalt, key.Length);
        nint session;
        int status;
        fixed (byte* k = keyAndSalt)
        {
            *(byte**)(policy + PolicyKeyOffset) = k;
            *(ulong*)(policy + PolicyWindowSizeOffset) = ReplayWindow;
            // NACK retransmissions resend a sequence number that was already protected.
            *(int*)(policy + PolicyAllowRepeatTxOffset) = 1;
            status = srtp_create(&session, policy);
        }
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(keyAndSalt);
        if (status != 0)
        {
            throw new InvalidOperationException($"srtp_create failed with status {status}.");
        }
        return session;
    }

    [LibraryImport(Library)] private static partial int srtp_init();
    [LibraryImport(Library)] private static partial int srtp_create(nint* session, byte* policy);
    [LibraryImport(Library)] private static partial int srtp_dealloc(nint session);
    [LibraryImport(Library)] private static partial int srtp_protect(nint session, byte* packet, int* length);
    [LibraryImport(Library)] private static partial int srtp_protect_rtcp(nint session, byte* packet, int* length);
    [LibraryImport(Library)] private static partial int srtp_unprotect(nint session, byte* packet, int* length);
    [LibraryImport(Library)] private static partial int srtp_unprotect_rtcp(nint session, byte* packet, int* length);
    [LibraryImport(Library)] private static partial void srtp_crypto_policy_set_rtp_default(byte* policy);
    [LibraryImport(Library)] private static partial void srtp_crypto_policy_set_rtcp_default(byte* policy);
    [LibraryImport(Library)] private static partial void srtp_crypto_policy_set_aes_gcm_128_16_auth(byte* policy);
}
