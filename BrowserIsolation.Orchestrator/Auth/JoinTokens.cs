using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>What a join token says: who joins which session, in which role, until when.</summary>
public sealed record JoinTokenClaims(
    [property: JsonPropertyName("sid")] string SessionId,
    [property: JsonPropertyName("pid")] string ParticipantId,
    [property: JsonPropertyName("name")] string DisplayName,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("iat")] long IssuedAt,
    [property: JsonPropertyName("exp")] long ExpiresAt)
{
    [JsonIgnore]
    public DateTimeOffset Expires => DateTimeOffset.FromUnixTimeSeconds(ExpiresAt);
}

/// <summary>
/// Join tokens: <c>bi1.&lt;base64url JSON claims&gt;.&lt;base64url HMAC-SHA256&gt;</c>. Stateless to check, so any replica
/// sharing <c>Auth:TokenSigningKey</c> accepts them; revocation and role changes live in the session's participant list.
/// </summary>
public sealed class JoinTokens
{
    public const string Prefix = "bi1.";
    private const int MaxTokenLength = 2048;
    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public JoinTokens(IOptions<AuthOptions> options, TimeProvider time, ILogger<JoinTokens> logger)
    {
        _time = time;
        var configured = options.Value.TokenSigningKey;
        if (string.IsNullOrEmpty(configured))
        {
            _key = RandomNumberGenerator.GetBytes(32);
            KeyIsEphemeral = true;
            logger.LogInformation("Auth:TokenSigningKey is not set: join tokens are signed with a key of this process only. " +
                "They stop working when it restarts, and replicas must share a configured key.");
        }
        else if (configured.Length < 32)
        {
            throw new InvalidOperationException("Auth:TokenSigningKey must be at least 32 characters (use e.g. `openssl rand -base64 48`).");
        }
        else
        {
            _key = Encoding.UTF8.GetBytes(configured);
        }
    }

    public bool KeyIsEphemeral { get; }

    public string Issue(JoinTokenClaims claims)
    {
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signed = Prefix + payload;
        return signed + "." + Base64Url.EncodeToString(Sign(signed));
    }

    public static bool LooksLikeToken(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Checks form, signature and expiry; <paramref name="error"/> says which failed.</summary>
    public bool TryValidate(string token, out JoinTokenClaims claims, out string error)
    {
        claims = null!;
        if (token.Length > MaxTokenLength || !LooksLikeToken(token))
        {
            error = "not a join token";
            return false;
        }
        var lastDot = token.LastIndexOf('.');
        if (lastDot <= Prefix.Length)
        {
            error = "malformed join token";
            return false;
        }
        var signed = token[..lastDot];
        if (!SignatureMatches(token.AsSpan(lastDot + 1), signed))
        {
            error = "the join token's signature is not valid";
            return false;
        }
        try
        {
            var json = Base64Url.DecodeFromChars(signed.AsSpan(Prefix.Length));
            claims = JsonSerializer.Deserialize<JoinTokenClaims>(json)!;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            error = "malformed join token";
            return false;
        }
        if (claims is null || string.IsNullOrEmpty(claims.SessionId) || string.IsNullOrEmpty(claims.ParticipantId) || !Roles.IsValid(claims.Role))
        {
            error = "malformed join token";
            return false;
        }
        if (_time.GetUtcNow().ToUnixTimeSeconds() >= claims.ExpiresAt)
        {
            error = "the join token has expired";
            return false;
        }
        error = "";
        return true;
    }

    private bool SignatureMatches(ReadOnlySpan<char> encoded, string signed)
    {
        Span<byte> signature = stackalloc byte[64];
        try
        {
            // TryDecode reports a short buffer; a character outside the alphabet still throws.
            return Base64Url.TryDecodeFromChars(encoded, signature, out var length) &&
                CryptographicOperations.FixedTimeEquals(signature[..length], Sign(signed));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private byte[] Sign(string signed) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(signed));
}
