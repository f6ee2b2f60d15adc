using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>
/// The configured API keys, kept as SHA-256 digests and compared in constant time. A key is known elsewhere (logs,
/// sessions' CreatedBy) only by its id, a short digest prefix.
/// </summary>
public sealed class ApiKeys
{
    private readonly (byte[] Digest, string Id)[] _keys;

    public ApiKeys(IOptions<AuthOptions> options)
    {
        _keys = [.. options.Value.ApiKeys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim()).Distinct()
            .Select(k => (Digest(k), IdOf(k)))];
    }

    public bool Enabled => _keys.Length > 0;

    /// <summary>The key's id when <paramref name="presented"/> is a configured key.</summary>
    public string? Match(string presented)
    {
        var digest = Digest(presented);
        string? id = null;
        foreach (var key in _keys)
        {
            // Every key is compared, so timing says nothing about which one matched.
            if (CryptographicOperations.FixedTimeEquals(digest, key.Digest))
            {
                id = key.Id;
            }
        }
        return id;
    }

    public static string IdOf(string key) => "key-" + Convert.ToHexStringLower(Digest(key.Trim()).AsSpan(0, 6));

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
