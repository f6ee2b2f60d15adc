using System.Runtime.InteropServices;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// The slice of OpenSSL 3 (libssl.so.3/libcrypto.so.3, the copies .NET itself loads) that DTLS needs.
/// Macros of the C API are spelled out as their SSL_ctrl/BIO_ctrl commands (values from OpenSSL 3.0's headers).
/// </summary>
internal static unsafe partial class OpenSsl
{
    private const string Ssl = "libssl.so.3";
    private const string Crypto = "libcrypto.so.3";

    public const int SslErrorNone = 0;
    public const int SslErrorSsl = 1;
    public const int SslErrorWantRead = 2;
    public const int SslErrorWantWrite = 3;
    public const int SslErrorSyscall = 5;
    public const int SslErrorZeroReturn = 6;

    public const int SslReceivedShutdown = 2;
    public const int VerifyPeer = 0x01;
    public const int VerifyFailIfNoPeerCert = 0x02;
    public const int Dtls12Version = 0xFEFD;
    public const int X509VErrCertRejected = 28;

    public const ulong OpNoQueryMtu = 1UL << 12;
    public const ulong OpNoTicket = 1UL << 14;
    public const ulong OpNoCompression = 1UL << 17;
    public const ulong OpCipherServerPreference = 1UL << 22;
    public const ulong OpNoRenegotiation = 1UL << 30;

    public const int CtrlSetMtu = 17;
    public const int CtrlSetReadAhead = 41;
    public const int CtrlDtlsGetTimeout = 73;
    public const int CtrlDtlsHandleTimeout = 74;
    public const int CtrlSetMinProtoVersion = 123;
    public const int CtrlSetMaxProtoVersion = 124;
    public const int BioCtrlSetBufMemEofReturn = 130;

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal
    {
        public nint Seconds;
        public nint Microseconds;
    }

    // libssl
    [LibraryImport(Ssl)] public static partial nint DTLS_method();
    [LibraryImport(Ssl)] public static partial nint SSL_CTX_new(nint method);
    [LibraryImport(Ssl)] public static partial void SSL_CTX_free(nint ctx);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_use_certificate(nint ctx, nint x509);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_use_PrivateKey(nint ctx, nint pkey);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_check_private_key(nint ctx);
    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)] public static partial int SSL_CTX_set_cipher_list(nint ctx, string list);
    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)] public static partial int SSL_CTX_set_tlsext_use_srtp(nint ctx, string profiles);
    [LibraryImport(Ssl)] public static partial void SSL_CTX_set_verify(nint ctx, int mode, nint callback);
    [LibraryImport(Ssl)] public static partial void SSL_CTX_set_cert_verify_callback(nint ctx, delegate* unmanaged<nint, nint, int> callback, nint arg);
    [LibraryImport(Ssl)] public static partial nint SSL_CTX_ctrl(nint ctx, int cmd, nint larg, nint parg);
    [LibraryImport(Ssl)] public static partial ulong SSL_CTX_set_options(nint ctx, ulong options);

    [LibraryImport(Ssl)] public static partial nint SSL_new(nint ctx);
    [LibraryImport(Ssl)] public static partial void SSL_free(nint ssl);
    [LibraryImport(Ssl)] public static partial void SSL_set_bio(nint ssl, nint rbio, nint wbio);
    [LibraryImport(Ssl)] public static partial void SSL_set_accept_state(nint ssl);
    [LibraryImport(Ssl)] public static partial void SSL_set_connect_state(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_do_handshake(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_read(nint ssl, byte* buffer, int length);
    [LibraryImport(Ssl)] public static partial int SSL_shutdown(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_get_shutdown(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_get_error(nint ssl, int ret);
    [LibraryImport(Ssl)] public static partial int SSL_is_init_finished(nint ssl);
    [LibraryImport(Ssl)] public static partial nint SSL_ctrl(nint ssl, int cmd, nint larg, nint parg);
    [LibraryImport(Ssl)] public static partial int SSL_set_ex_data(nint ssl, int index, nint data);
    [LibraryImport(Ssl)] public static partial nint SSL_get_ex_data(nint ssl, int index);
    [LibraryImport(Ssl)] public static partial int SSL_get_ex_data_X509_STORE_CTX_idx();
    [LibraryImport(Ssl)] public static partial nint SSL_get_selected_srtp_profile(nint ssl);
    [LibraryImport(Ssl)] public static partial nint SSL_get1_peer_certificate(nint ssl);
    [LibraryImport(Ssl)] public static partial nint SSL_get_current_cipher(nint ssl);
    [LibraryImport(Ssl)] public static partial nint SSL_CIPHER_get_name(nint cipher);
    [LibraryImport(Ssl)] public static partial nint SSL_get_version(nint ssl);
    [LibraryImport(Ssl)] public static partial void DTLS_set_timer_cb(nint ssl, delegate* unmanaged<nint, uint, uint> callback);
    [LibraryImport(Ssl)]
    public static partial int SSL_export_keying_material(nint ssl, byte* output, nuint outputLength, byte* label, nuint labelLength,
        byte* context, nuint contextLength, int useContext);

    // libcrypto
    [LibraryImport(Crypto)] public static partial nint BIO_s_mem();
    [LibraryImport(Crypto)] public static partial nint BIO_new(nint method);
    [LibraryImport(Crypto)] public static partial nint BIO_new_mem_buf(byte* buffer, int length);
    [LibraryImport(Crypto)] public static partial int BIO_free(nint bio);
    [LibraryImport(Crypto)] public static partial int BIO_write(nint bio, byte* data, int length);
    [LibraryImport(Crypto)] public static partial int BIO_read(nint bio, byte* data, int length);
    [LibraryImport(Crypto)] public static partial nint BIO_ctrl(nint bio, int cmd, nint larg, nint parg);
    [LibraryImport(Crypto)] public static partial nuint BIO_ctrl_pending(nint bio);
    [LibraryImport(Crypto)] public static partial nint PEM_read_bio_X509(nint bio, nint x, nint callback, nint userData);
    [LibraryImport(Crypto)] public static partial nint PEM_read_bio_PrivateKey(nint bio, nint x, nint callback, nint userData);
    [LibraryImport(Crypto)] public static partial void X509_free(nint x509);
    [LibraryImport(Crypto)] public static partial void EVP_PKEY_free(nint pkey);
    [LibraryImport(Crypto)] public static partial int i2d_X509(nint x509, byte** output);
    [LibraryImport(Crypto)] public static partial nint X509_STORE_CTX_get0_cert(nint store);
    [LibraryImport(Crypto)] public static partial nint X509_STORE_CTX_get_ex_data(nint store, int index);
    [LibraryImport(Crypto)] public static partial void X509_STORE_CTX_set_error(nint store, int error);
    [LibraryImport(Crypto)] public static partial nuint ERR_get_error();
    [LibraryImport(Crypto)] public static partial void ERR_error_string_n(nuint error, byte* buffer, nuint length);
    [LibraryImport(Crypto)] public static partial void ERR_clear_error();

    /// <summary>The DER encoding of a certificate (i2d_X509 twice: once for the size).</summary>
    public static byte[] EncodeCertificate(nint x509)
    {
        var length = i2d_X509(x509, null);
        if (length <= 0)
        {
            return [];
        }
        var der = new byte[length];
        fixed (byte* start = der)
        {
            var cursor = start;
            i2d_X509(x509, &cursor);
        }
        return der;
    }

    /// <summary>Drains this thread's OpenSSL error queue into one readable line.</summary>
    public static string DrainErrors()
    {
        var messages = new List<string>();
        Span<byte> buffer = stackalloc byte[256];
        nuint code;
        while ((code = ERR_get_error()) != 0)
        {
            fixed (byte* b = buffer)
            {
                ERR_error_string_n(code, b, (nuint)buffer.Length);
                messages.Add(Marshal.PtrToStringUTF8((nint)b) ?? code.ToString());
            }
        }
        return messages.Count == 0 ? "no OpenSSL error queued" : string.Join("; ", messages);
    }
}
