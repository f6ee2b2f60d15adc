namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// The SRTP master keys and salts one DTLS handshake produced (RFC 5764 section 4.2), already split into ours
/// (what we protect with) and the peer's (what we unprotect with).
/// </summary>
public sealed record SrtpKeyMaterial(SrtpProfile Profile, byte[] LocalKey, byte[] LocalSalt, byte[] RemoteKey, byte[] RemoteSalt)
{
    /// <summary>
    /// Splits the exporter output, laid out client key | server key | client salt | server salt; the server
    /// protects with the server key and salt.
    /// </summary>
    public static SrtpKeyMaterial FromExporter(SrtpProfile profile, ReadOnlySpan<byte> material, DtlsRole localRole)
    {
        int k = profile.MasterKeyLength(), s = profile.MasterSaltLength();
        if (material.Length != 2 * (k + s))
        {
            throw new ArgumentException($"Expected {2 * (k + s)} bytes of keying material for {profile}.", nameof(material));
        }
        var clientKey = material[..k].ToArray();
        var serverKey = material.Slice(k, k).ToArray();
        var clientSalt = material.Slice(2 * k, s).ToArray();
        var serverSalt = material.Slice(2 * k + s, s).ToArray();
        return localRole == DtlsRole.Client
            ? new SrtpKeyMaterial(profile, clientKey, clientSalt, serverKey, serverSalt)
            : new SrtpKeyMaterial(profile, serverKey, serverSalt, clientKey, clientSalt);
    }

    public static int ExporterLength(SrtpProfile profile) => 2 * (profile.MasterKeyLength() + profile.MasterSaltLength());
}
