using System.Diagnostics;
using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public class DtlsTransportTests : IDisposable
{
    private readonly DtlsContext _serverContext = new();
    private readonly DtlsContext _clientContext = new();

    public void Dispose()
    {
        _serverContext.Dispose();
        _clientContext.Dispose();
    }

    [Fact]
    public void ContextMakesAnEcdsaP256CertificateWithItsSha256Fingerprint()
    {
        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(_serverContext.CertificateDer);
        Assert.Equal("1.2.840.10045.2.1", certificate.PublicKey.Oid.Value); // id-ecPublicKey
        Assert.Equal("sha-256", _serverContext.LocalFingerprint.Algorithm);
        Assert.Equal(32, _serverContext.LocalFingerprint.Digest.Length);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", _serverContext.LocalFingerprint.Value);
        Assert.NotEqual(_serverContext.LocalFingerprint, _clientContext.LocalFingerprint);
    }

    [Fact]
    public void HandshakeConnectsBothSidesWithMirroredKeys()
    {
        using var pair = new DtlsPair(_serverContext, _clientContext);
        var connected = 0;
        pair.Server.Connected += _ => Interlocked.Increment(ref connected);
        pair.Client.Connected += _ => Interlocked.Increment(ref connected);
        Assert.True(pair.Handshake(TimeSpan.FromSeconds(10)));
        Assert.Equal(DtlsState.Connected, pair.Server.State);
        Assert.Equal(DtlsState.Connected, pair.Client.State);
        Assert.Equal(2, connected);
        Assert.Equal(SrtpProfile.AeadAes128Gcm, pair.Server.Profile);
        Assert.Equal(SrtpProfile.AeadAes128Gcm, pair.Client.Profile);
        Assert.Equal("ECDHE-ECDSA-AES128-GCM-SHA256", pair.Server.CipherSuite);
        var server = pair.Server.Keys!;
        var client = pair.Client.Keys!;
        Assert.Equal(16, server.LocalKey.Length);
        Assert.Equal(12, server.LocalSalt.Length);
        Assert.Equal(server.LocalKey, client.RemoteKey);
        Assert.Equal(server.LocalSalt, client.RemoteSalt);
        Assert.Equal(server.RemoteKey, client.LocalKey);
        Assert.Equal(server.RemoteSalt, client.LocalSalt);
        Assert.NotEqual(server.LocalKey, server.RemoteKey);
        // DTLS 1.2 full handshake: the server answers two flights (ServerHello..Done, then CCS+Finished).
        Assert.Equal(2, pair.Server.HandshakeFlightsSent);
        Assert.All(pair.Log, entry => Assert.True(entry.Size <= DtlsTransport.DefaultMtu, $"datagram of {entry.Size} bytes"));
    }

    [Fact]
    public void ServerOrderPicksCmSha1WhenItComesFirst()
    {
        using var cmFirst = new DtlsContext("SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM");
        using var pair = new DtlsPair(cmFirst, _clientContext);
        Assert.True(pair.Handshake(TimeSpan.FromSeconds(10)));
        Assert.Equal(SrtpProfile.Aes128CmSha1_80, pair.Server.Profile);
        Assert.Equal(14, pair.Server.Keys!.LocalSalt.Length);
        Assert.Equal(pair.Server.Keys.LocalKey, pair.Client.Keys!.RemoteKey);
    }

    [Fact]
    public void WrongFingerprintIsRefusedByTheServer()
    {
        using var stranger = new DtlsContext();
        using var pair = new DtlsPair(_serverContext, _clientContext, fingerprintServerExpects: stranger.LocalFingerprint);
        string? reason = null;
        pair.Server.Failed += (_, r) => reason = r;
        Assert.True(pair.Handshake(TimeSpan.FromSeconds(10)));
        Assert.Equal(DtlsState.Failed, pair.Server.State);
        Assert.NotEqual(DtlsState.Connected, pair.Client.State);
        Assert.Contains("does not match the SDP fingerprint", reason);
        Assert.Null(pair.Server.Keys);
    }

    [Fact]
    public void WrongFingerprintIsRefusedByTheClient()
    {
        using var stranger = new DtlsContext();
        using var pair = new DtlsPair(_serverContext, _clientContext, fingerprintClientExpects: stranger.LocalFingerprint);
        Assert.True(pair.Handshake(TimeSpan.FromSeconds(10)));
        Assert.Equal(DtlsState.Failed, pair.Client.State);
        Assert.Contains("does not match", pair.Client.FailureReason);
        Assert.NotEqual(DtlsState.Connected, pair.Server.State);
    }

    [Fact]
    public void LostFlightsAreRetransmittedWithinAFractionOfASecond()
    {
        using var pair = new DtlsPair(_serverContext, _clientContext)
        {
            // Lose the first ClientHello and the server's first flight once each.
            Drop = (toServer, index) => index == 0,
        };
        var watch = Stopwatch.StartNew();
        Assert.True(pair.Handshake(TimeSpan.FromSeconds(10)));
        Assert.Equal(DtlsState.Connected, pair.Server.State);
        Assert.Equal(DtlsState.Connected, pair.Client.State);
        Assert.True(pair.Client.Retransmissions + pair.Server.Retransmissions >= 2);
        // Two 100 ms timers instead of OpenSSL's default 1 s each.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5), $"handshake with two losses took {watch.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void CloseNotifyClosesThePeer()
    {
        using var pair = new DtlsPair(_serverContext, _clientContext);
        Assert.True(pair.Handshake(TimeSpan.FromSeconds(10)));
        var closed = false;
        pair.Server.Closed += _ => closed = true;
        pair.Client.Close();
        Assert.True(pair.PumpUntil(() => closed, TimeSpan.FromSeconds(5)));
        Assert.Equal(DtlsState.Closed, pair.Server.State);
    }

    [Fact]
    public void GarbageNeverThrowsAndDoesNotConnect()
    {
        using var server = new DtlsTransport(_serverContext, DtlsRole.Server, _clientContext.LocalFingerprint, _ => { });
        var random = new Random(7);
        for (var i = 0; i < 3000; i++)
        {
            var datagram = new byte[random.Next(1, 1500)];
            random.NextBytes(datagram);
            datagram[0] = (byte)random.Next(20, 64);
            server.HandleDatagram(datagram);
        }
        Assert.NotEqual(DtlsState.Connected, server.State);
    }
}
