using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// DTLS 1.2 for one peer, OpenSSL over memory BIOs: datagrams in through <see cref="HandleDatagram"/>, datagrams
/// out through the sender, split at record boundaries and packed up to the MTU. Retransmission runs on our own
/// timer (first timeout 100 ms instead of OpenSSL's 1 s). On success it exposes the SRTP profile and keys from
/// the "EXTRACTOR-dtls_srtp" exporter; the peer's certificate must match the fingerprint its SDP announced.
/// Thread-safe: every OpenSSL call on the SSL object happens under one lock. Events fire outside it.
/// </summary>
public sealed unsafe class DtlsTransport : IDisposable
{
    public const int DefaultMtu = 1200;
    private const int RecordHeaderLength = 13;
    private const uint FirstTimeoutMicros = 100_000;
    private const uint MaxTimeoutMicros = 1_600_000;
    private static readonly byte[] ExporterLabel = Encoding.ASCII.GetBytes("EXTRACTOR-dtls_srtp");

    private readonly Lock _gate = new();
    private readonly DatagramSender _send;
    private readonly CertificateFingerprint _remoteFingerprint;
    private readonly int _mtu;
    private readonly Timer _timer;
    private readonly byte[] _readBuffer = new byte[4096];
    private nint _ssl;
    private nint _wbio;
    private nint _rbio;
    private GCHandle _self;
    private DtlsState _state;
    private bool _fingerprintMismatch;
    private long _startedAt;

    public DtlsTransport(DtlsContext context, DtlsRole role, CertificateFingerprint remoteFingerprint, DatagramSender send, int mtu = DefaultMtu)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(remoteFingerprint);
        ArgumentNullException.ThrowIfNull(send);
        ArgumentOutOfRangeException.ThrowIfLessThan(mtu, 256);
        Role = role;
        _remoteFingerprint = remoteFingerprint;
        _send = send;
        _mtu = mtu;
        _timer = new Timer(_ => OnTimer(), null, Timeout.Infinite, Timeout.Infinite);

        OpenSsl.ERR_clear_error();
        _ssl = OpenSsl.SSL_new(context.Handle);
        if (_ssl == 0)
        {
            throw new InvalidOperationException("SSL_new failed: " + OpenSsl.DrainErrors());
        }
        _rbio = OpenSsl.BIO_new(OpenSsl.BIO_s_mem());
        _wbio = OpenSsl.BIO_new(OpenSsl.BIO_s_mem());
        if (_rbio == 0 || _wbio == 0)
        {
            if (_rbio != 0) OpenSsl.BIO_free(_rbio);
            if (_wbio != 0) OpenSsl.BIO_free(_wbio);
            OpenSsl.SSL_free(_ssl);
            throw new InvalidOperationException("BIO_new failed: " + OpenSsl.DrainErrors());
        }
        // An empty memory BIO must read as "retry later", not as end of file.
        OpenSsl.BIO_ctrl(_rbio, OpenSsl.BioCtrlSetBufMemEofReturn, -1, 0);
        OpenSsl.SSL_set_bio(_ssl, _rbio, _wbio); // the SSL owns both BIOs from here on
        OpenSsl.SSL_ctrl(_ssl, OpenSsl.CtrlSetMtu, mtu, 0);
        OpenSsl.DTLS_set_timer_cb(_ssl, &NextTimeout);
        _self = GCHandle.Alloc(this);
        OpenSsl.SSL_set_ex_data(_ssl, 0, GCHandle.ToIntPtr(_self));
        if (role == DtlsRole.Server)
        {
            OpenSsl.SSL_set_accept_state(_ssl);
        }
        else
        {
            OpenSsl.SSL_set_connect_state(_ssl);
        }
    }

    /// <summary>Handshake done, keys exported, fingerprint verified.</summary>
    public event Action<DtlsTransport>? Connected;

    /// <summary>Handshake or connection failed (reason), including a fingerprint mismatch or a fatal alert.</summary>
    public event Action<DtlsTransport, string>? Failed;

    /// <summary>The peer sent close_notify.</summary>
    public event Action<DtlsTransport>? Closed;

    public DtlsRole Role { get; }

    public DtlsState State
    {
        get { lock (_gate) { return _state; } }
    }

    public SrtpKeyMaterial? Keys { get; private set; }

    public SrtpProfile Profile => Keys?.Profile ?? SrtpProfile.None;

    public string? CipherSuite { get; private set; }

    public string? FailureReason { get; private set; }

    /// <summary>Flights we sent while handshaking: for a server, one per round trip the handshake took.</summary>
    public int HandshakeFlightsSent { get; private set; }

    public int Retransmissions { get; private set; }

    public long DatagramsReceived { get; private set; }

    public long DatagramsSent { get; private set; }

    /// <summary>From our first handshake datagram (sent or received) to completion.</summary>
    public TimeSpan? HandshakeDuration { get; private set; }

    /// <summary>Client role: sends the ClientHello. Server role: nothing to do until the ClientHello arrives.</summary>
    public void Start()
    {
        var events = new List<Action>();
        lock (_gate)
        {
            if (_ssl == 0 || _state != DtlsState.New || Role != DtlsRole.Client)
            {
                return;
            }
            _state = DtlsState.Connecting;
            _startedAt = Stopwatch.GetTimestamp();
            Handshake(events);
            if (Flush())
            {
                HandshakeFlightsSent++;
            }
            ScheduleTimer();
        }
        Raise(events);
    }

    /// <summary>One datagram the demultiplexer classified as DTLS (first byte 20-63). Never throws for bad input.</summary>
    public void HandleDatagram(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return;
        }
        var events = new List<Action>();
        lock (_gate)
        {
            if (_ssl == 0 || _state is DtlsState.Failed or DtlsState.Closed)
            {
                return;
            }
            DatagramsReceived++;
            fixed (byte* p = datagram)
            {
                OpenSsl.BIO_write(_rbio, p, datagram.Length);
            }
            if (_state == DtlsState.New)
            {
                _state = DtlsState.Connecting;
                _startedAt = Stopwatch.GetTimestamp();
            }
            var handshaking = _state == DtlsState.Connecting;
            if (handshaking)
            {
                Handshake(events);
            }
            if (_state == DtlsState.Connected)
            {
                ReadRecords(events);
            }
            if (Flush() && handshaking)
            {
                HandshakeFlightsSent++;
            }
            ScheduleTimer();
        }
        Raise(events);
    }

    /// <summary>Sends close_notify when connected; the transport stays usable only for disposal.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_ssl == 0 || _state is DtlsState.Closed or DtlsState.Failed)
            {
                return;
            }
            if (_state == DtlsState.Connected)
            {
                OpenSsl.ERR_clear_error();
                OpenSsl.SSL_shutdown(_ssl);
                Flush();
                OpenSsl.ERR_clear_error();
            }
            _state = DtlsState.Closed;
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_ssl == 0)
            {
                return;
            }
            _timer.Dispose();
            OpenSsl.SSL_free(_ssl); // frees both BIOs
            _ssl = _rbio = _wbio = 0;
            if (_self.IsAllocated)
            {
                _self.Free();
            }
            if (_state is DtlsState.New or DtlsState.Connecting or DtlsState.Connected)
            {
                _state = DtlsState.Closed;
            }
        }
    }

    private void Handshake(List<Action> events)
    {
        OpenSsl.ERR_clear_error();
        var result = OpenSsl.SSL_do_handshake(_ssl);
        if (result == 1)
        {
            CompleteHandshake(events);
            return;
        }
        var error = OpenSsl.SSL_get_error(_ssl, result);
        if (error is OpenSsl.SslErrorWantRead or OpenSsl.SslErrorWantWrite)
        {
            return;
        }
        if (error == OpenSsl.SslErrorZeroReturn)
        {
            SetClosed(events);
            return;
        }
        var reason = _fingerprintMismatch
            ? $"the peer's certificate does not match the SDP fingerprint {_remoteFingerprint}"
            : "DTLS handshake failed: " + OpenSsl.DrainErrors();
        SetFailed(reason, events);
    }

    private void CompleteHandshake(List<Action> events)
    {
        // Belt and braces: the verify callback already refused a mismatch, check the certificate actually used too.
        var peer = OpenSsl.SSL_get1_peer_certificate(_ssl);
        if (peer == 0)
        {
            SetFailed("the peer presented no certificate", events);
            return;
        }
        byte[] der;
        try
        {
            der = OpenSsl.EncodeCertificate(peer);
        }
        finally
        {
            OpenSsl.X509_free(peer);
        }
        if (!_remoteFingerprint.Matches(der))
        {
            SetFailed($"the peer's certificate does not match the SDP fingerprint {_remoteFingerprint}", events);
            return;
        }

        var profilePointer = OpenSsl.SSL_get_selected_srtp_profile(_ssl);
        if (profilePointer == 0)
        {
            SetFailed("the peer negotiated no DTLS-SRTP profile", events);
            return;
        }
        // SRTP_PROTECTION_PROFILE is { const char *name; unsigned long id; }.
        var profile = (SrtpProfile)(int)Marshal.ReadInt64(profilePointer, 8);
        if (profile is not (SrtpProfile.Aes128CmSha1_80 or SrtpProfile.AeadAes128Gcm))
        {
            SetFailed($"unsupported SRTP profile 0x{(int)profile:x4}", events);
            return;
        }
        var material = new byte[SrtpKeyMaterial.ExporterLength(profile)];
        fixed (byte* output = material)
        fixed (byte* label = ExporterLabel)
        {
            if (OpenSsl.SSL_export_keying_material(_ssl, output, (nuint)material.Length, label, (nuint)ExporterLabel.Length, null, 0, 0) != 1)
            {
                SetFailed("SSL_export_keying_material failed: " + OpenSsl.DrainErrors(), events);
                return;
            }
        }
        Keys = SrtpKeyMaterial.FromExporter(profile, material, Role);
        CryptographicWipe(material);
        CipherSuite = Marshal.PtrToStringUTF8(OpenSsl.SSL_CIPHER_get_name(OpenSsl.SSL_get_current_cipher(_ssl)));
        HandshakeDuration = Stopwatch.GetElapsedTime(_startedAt);
        _state = DtlsState.Connected;
        events.Add(() => Connected?.Invoke(this));
    }

    private void ReadRecords(List<Action> events)
    {
        fixed (byte* buffer = _readBuffer)
        {
            while (true)
            {
                OpenSsl.ERR_clear_error();
                var read = OpenSsl.SSL_read(_ssl, buffer, _readBuffer.Length);
                if (read > 0)
                {
                    continue; // application data: no data channels here, drop it
                }
                var error = OpenSsl.SSL_get_error(_ssl, read);
                if (error is OpenSsl.SslErrorWantRead or OpenSsl.SslErrorWantWrite)
                {
                    return;
                }
                if (error == OpenSsl.SslErrorZeroReturn || (OpenSsl.SSL_get_shutdown(_ssl) & OpenSsl.SslReceivedShutdown) != 0)
                {
                    SetClosed(events);
                    return;
                }
                SetFailed("DTLS connection failed: " + OpenSsl.DrainErrors(), events);
                return;
            }
        }
    }

    private void SetClosed(List<Action> events)
    {
        _state = DtlsState.Closed;
        _timer.Change(Timeout.Infinite, Timeout.Infinite);
        events.Add(() => Closed?.Invoke(this));
    }

    private void SetFailed(string reason, List<Action> events)
    {
        FailureReason = reason;
        _state = DtlsState.Failed;
        _timer.Change(Timeout.Infinite, Timeout.Infinite);
        Flush(); // a fatal alert OpenSSL queued still goes out
        events.Add(() => Failed?.Invoke(this, reason));
    }

    /// <summary>Sends what OpenSSL wrote: whole records, as many per datagram as fit in the MTU. True if anything went out.</summary>
    private bool Flush()
    {
        var pending = (int)OpenSsl.BIO_ctrl_pending(_wbio);
        if (pending <= 0)
        {
            return false;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(pending);
        try
        {
            int length;
            fixed (byte* p = buffer)
            {
                length = OpenSsl.BIO_read(_wbio, p, pending);
            }
            if (length <= 0)
            {
                return false;
            }
            int start = 0, cursor = 0;
            while (cursor < length)
            {
                var record = length - cursor < RecordHeaderLength
                    ? length - cursor
                    : Math.Min(RecordHeaderLength + BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(cursor + 11)), length - cursor);
                if (cursor > start && cursor + record - start > _mtu)
                {
                    SendDatagram(buffer.AsSpan(start, cursor - start));
                    start = cursor;
                }
                cursor += record;
            }
            if (cursor > start)
            {
                SendDatagram(buffer.AsSpan(start, cursor - start));
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void SendDatagram(ReadOnlySpan<byte> datagram)
    {
        DatagramsSent++;
        try
        {
            _send(datagram);
        }
        catch (Exception)
        {
            // A send failure is a lost datagram; retransmission covers it.
        }
    }

    private void ScheduleTimer()
    {
        if (_ssl == 0 || _state != DtlsState.Connecting)
        {
            return;
        }
        OpenSsl.TimeVal remaining;
        if (OpenSsl.SSL_ctrl(_ssl, OpenSsl.CtrlDtlsGetTimeout, 0, (nint)(&remaining)) > 0)
        {
            var dueMs = Math.Max(1L, remaining.Seconds * 1000L + (remaining.Microseconds + 999) / 1000);
            _timer.Change(dueMs, Timeout.Infinite);
        }
        else
        {
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

    private void OnTimer()
    {
        var events = new List<Action>();
        lock (_gate)
        {
            if (_ssl == 0 || _state != DtlsState.Connecting)
            {
                return;
            }
            OpenSsl.ERR_clear_error();
            var result = OpenSsl.SSL_ctrl(_ssl, OpenSsl.CtrlDtlsHandleTimeout, 0, 0);
            if (result < 0)
            {
                SetFailed("DTLS handshake timed out: " + OpenSsl.DrainErrors(), events);
            }
            else
            {
                if (result > 0)
                {
                    Retransmissions++;
                }
                Flush();
                ScheduleTimer();
            }
        }
        Raise(events);
    }

    private static void Raise(List<Action> events)
    {
        foreach (var raise in events)
        {
            raise();
        }
    }

    private static void CryptographicWipe(byte[] data) => System.Security.Cryptography.CryptographicOperations.ZeroMemory(data);

    /// <summary>OpenSSL's retransmission timer: 100 ms first, then doubling up to 1.6 s.</summary>
    [UnmanagedCallersOnly]
    private static uint NextTimeout(nint ssl, uint previousMicros) =>
        previousMicros == 0 ? FirstTimeoutMicros : Math.Min(previousMicros * 2, MaxTimeoutMicros);

    /// <summary>
    /// Replaces chain verification (self-signed certificates are the rule in WebRTC): the leaf certificate must
    /// match the a=fingerprint of the remote SDP, else the handshake fails with bad_certificate.
    /// </summary>
    [UnmanagedCallersOnly]
    internal static int VerifyCertificate(nint store, nint arg)
    {
        try
        {
            var ssl = OpenSsl.X509_STORE_CTX_get_ex_data(store, OpenSsl.SSL_get_ex_data_X509_STORE_CTX_idx());
            var handle = ssl == 0 ? 0 : OpenSsl.SSL_get_ex_data(ssl, 0);
            if (handle == 0 || GCHandle.FromIntPtr(handle).Target is not DtlsTransport transport)
            {
                return 0;
            }
            var certificate = OpenSsl.X509_STORE_CTX_get0_cert(store);
            if (certificate != 0 && transport._remoteFingerprint.Matches(OpenSsl.EncodeCertificate(certificate)))
            {
                return 1;
            }
            transport._fingerprintMismatch = true;
            OpenSsl.X509_STORE_CTX_set_error(store, OpenSsl.X509VErrCertRejected);
            return 0;
        }
        catch
        {
            return 0;
        }
    }
}
