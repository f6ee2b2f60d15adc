using System.Security.Cryptography;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>An SDP a=fingerprint value (RFC 8122): a hash function name and the certificate's DER digest.</summary>
public sealed class CertificateFingerprint : IEquatable<CertificateFingerprint>
{
    private readonly byte[] _digest;

    private CertificateFingerprint(string algorithm, byte[] digest)
    {
        Algorithm = algorithm;
        _digest = digest;
    }

    /// <summary>Lower-case hash name as SDP spells it: sha-1, sha-256, sha-384 or sha-512.</summary>
    public string Algorithm { get; }

    public ReadOnlySpan<byte> Digest => _digest;

    /// <summary>"AB:CD:..." upper-case, as browsers write it.</summary>
    public string Value => string.Join(':', _digest.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    public static CertificateFingerprint Compute(string algorithm, ReadOnlySpan<byte> der)
    {
        var name = algorithm.ToLowerInvariant();
        byte[] digest = name switch
        {
            "sha-1" => SHA1.HashData(der),
            "sha-256" => SHA256.HashData(der),
            "sha-384" => SHA384.HashData(der),
            "sha-512" => SHA512.HashData(der),
            _ => throw new NotSupportedException($"Unsupported fingerprint hash '{algorithm}'."),
        };
        return new CertificateFingerprint(name, digest);
    }

    /// <summary>Parses "sha-256" + "AB:CD:..."; false for unknown hashes or malformed hex.</summary>
    public static bool TryParse(string algorithm, string value, out CertificateFingerprint? fingerprint)
    {
        fingerprint = null;
        var name = algorithm.Trim().ToLowerInvariant();
        var expectedLength = name switch { "sha-1" => 20, "sha-256" => 32, "sha-384" => 48, "sha-512" => 64, _ => 0 };
        var parts = value.Trim().Split(':');
        if (expectedLength == 0 || parts.Length != expectedLength)
        {
            return false;
        }
        var digest = new byte[expectedLength];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length != 2 || !byte.TryParse(parts[i], System.Globalization.NumberStyles.HexNumber, null, out digest[i]))
            {
                return false;
            }
        }
        fingerprint = new CertificateFingerprint(name, digest);
        return true;
    }

    /// <summary>True when this fingerprint describes the DER certificate, in constant time.</summary>
    public bool Matches(ReadOnlySpan<byte> der) =>
        CryptographicOperations.FixedTimeEquals(Compute(Algorithm, der)._digest, _digest);

    public bool Equals(CertificateFingerprint? other) =>
        other is not null && other.Algorithm == Algorithm && other._digest.AsSpan().SequenceEqual(_digest);

    public override bool Equals(object? obj) => Equals(obj as CertificateFingerprint);

    public override int GetHashCode() => HashCode.Combine(Algorithm, _digest.Length, _digest[0], _digest[^1]);

    public override string ToString() => $"{Algorithm} {Value}";
}
