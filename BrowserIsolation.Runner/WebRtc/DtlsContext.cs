using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// One per runner: a self-signed ECDSA P-256 certificate and the OpenSSL SSL_CTX (DTLS 1.2 only, ECDHE-ECDSA
/// AEAD suites, the DTLS-SRTP profiles, mutual certificates) that every peer's <see cref="DtlsTransport"/> is made from.
/// </summary>
public sealed unsafe class DtlsContext : IDisposable
{
    /// <summary>GCM first (less overhead, AEAD), CM-SHA1-80 for peers without it. OpenSSL picks in this order.</summary>
    public const string DefaultSrtpProfiles = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";

    private const string Ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384";

    private nint _ctx;

    public DtlsContext(string srtpProfiles = DefaultSrtpProfiles)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=BrowserIsolation WebRTC", key, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        CertificateDer = certificate.RawData;
        LocalFingerprint = CertificateFingerprint.Compute("sha-256", CertificateDer);
        _ctx = CreateContext(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), srtpProfiles);
    }

    /// <summary>Our certificate's SHA-256 fingerprint, for a=fingerprint in every answer.</summary>
    public CertificateFingerprint LocalFingerprint { get; }

    public byte[] CertificateDer { get; }

    internal nint Handle => _ctx != 0 ? _ctx : throw new ObjectDisposedException(nameof(DtlsContext));

    public void Dispose()
    {
        var ctx = Interlocked.Exchange(ref _ctx, 0);
        if (ctx != 0)
        {
            // Live SSL objects hold their own reference on the SSL_CTX, so this only drops ours.
            OpenSsl.SSL_CTX_free(ctx);
        }
    }

    private static nint CreateContext(string certificatePem, string keyPem, string srtpProfiles)
    {
        OpenSsl.ERR_clear_error();
        var ctx = OpenSsl.SSL_CTX_new(OpenSsl.DTLS_method());
        if (ctx == 0)
        {
            throw new InvalidOperationException("SSL_CTX_new failed: " + OpenSsl.DrainErrors());
        }
        try
        {
            var x509 = ReadPem(certificatePem, isKey: false);
            try
            {
                Check(OpenSsl.SSL_CTX_use_certificate(ctx, x509) == 1, "SSL_CTX_use_certificate");
            }
            finally
            {
                OpenSsl.X509_free(x509);
            }
            var pkey = ReadPem(keyPem, isKey: true);
            try
            {
                Check(OpenSsl.SSL_CTX_use_PrivateKey(ctx, pkey) == 1, "SSL_CTX_use_PrivateKey");
            }
            finally
            {
                OpenSsl.EVP_PKEY_free(pkey);
            }
            Check(OpenSsl.SSL_CTX_check_private_key(ctx) == 1, "SSL_CTX_check_private_key");
            Check(OpenSsl.SSL_CTX_ctrl(ctx, OpenSsl.CtrlSetMinProtoVersion, OpenSsl.Dtls12Version, 0) == 1, "set min DTLS version");
            Check(OpenSsl.SSL_CTX_ctrl(ctx, OpenSsl.CtrlSetMaxProtoVersion, OpenSsl.Dtls12Version, 0) == 1, "set max DTLS version");
            Check(OpenSsl.SSL_CTX_set_cipher_list(ctx, Ciphers) == 1, "SSL_CTX_set_cipher_list");
            // Returns 0 on success, unlike most of the API.
            Check(OpenSsl.SSL_CTX_set_tlsext_use_srtp(ctx, srtpProfiles) == 0, "SSL_CTX_set_tlsext_use_srtp");
            OpenSsl.SSL_CTX_set_options(ctx, OpenSsl.OpNoQueryMtu | OpenSsl.OpNoTicket | OpenSsl.OpNoCompression
                | OpenSsl.OpCipherServerPreference | OpenSsl.OpNoRenegotiation);
            OpenSsl.SSL_CTX_ctrl(ctx, OpenSsl.CtrlSetReadAhead, 1, 0);
            // Both sides must show a certificate; its chain is not checked, its fingerprint is (see DtlsTransport).
            OpenSsl.SSL_CTX_set_verify(ctx, OpenSsl.VerifyPeer | OpenSsl.VerifyFailIfNoPeerCert, 0);
            OpenSsl.SSL_CTX_set_cert_verify_callback(ctx, &DtlsTransport.VerifyCertificate, 0);
            return ctx;
        }
        catch
        {
            OpenSsl.SSL_CTX_free(ctx);
            throw;
        }
    }

    private static nint ReadPem(string pem, bool isKey)
    {
        var bytes = Encoding.ASCII.GetBytes(pem);
        fixed (byte* p = bytes)
        {
            var bio = OpenSsl.BIO_new_mem_buf(p, bytes.Length);
            Check(bio != 0, "BIO_new_mem_buf");
            try
            {
                var result = isKey ? OpenSsl.PEM_read_bio_PrivateKey(bio, 0, 0, 0) : OpenSsl.PEM_read_bio_X509(bio, 0, 0, 0);
                Check(result != 0, isKey ? "PEM_read_bio_PrivateKey" : "PEM_read_bio_X509");
                return result;
            }
            finally
            {
                OpenSsl.BIO_free(bio);
            }
        }
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"{what} failed: {OpenSsl.DrainErrors()}");
        }
    }
}
