using System.Security.Cryptography;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>An ICE username fragment and password (RFC 8445 section 5.3: ufrag 4+ and pwd 22+ ice-chars).</summary>
public sealed record IceCredentials(string Ufrag, string Password)
{
    private const string IceChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";

    /// <summary>8-char ufrag (48 bits, unique enough to route by) and a 24-char password (144 bits).</summary>
    public static IceCredentials Generate() => new(RandomNumberGenerator.GetString(IceChars, 8), RandomNumberGenerator.GetString(IceChars, 24));
}
