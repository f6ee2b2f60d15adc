using BrowserIsolation.Orchestrator.Auth;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Tests.Unit.Auth;

[Trait("Category", "Unit")]
public sealed class JoinTokensTests
{
    private static JoinTokens Tokens(string? key = "unit-test-signing-key-0123456789abcdef") =>
        new(Options.Create(new AuthOptions { TokenSigningKey = key }), TimeProvider.System, NullLogger<JoinTokens>.Instance);

    private static JoinTokenClaims Claims(long expiresIn = 3600) =>
        new("s1", "p-1", "Ann", Roles.Viewer, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + expiresIn);

    [Fact]
    public void AnIssuedTokenValidatesWithItsClaims()
    {
        var tokens = Tokens();
        var token = tokens.Issue(Claims());
        Assert.StartsWith(JoinTokens.Prefix, token);
        Assert.True(tokens.TryValidate(token, out var claims, out var error), error);
        Assert.Equal(("s1", "p-1", "Ann", "viewer"), (claims.SessionId, claims.ParticipantId, claims.DisplayName, claims.Role));
    }

    [Fact]
    public void TamperedExpiredForeignAndMalformedTokensAreRefused()
    {
        var tokens = Tokens();
        var token = tokens.Issue(Claims());
        var parts = token.Split('.');
        // Promote to owner by editing the payload: the signature no longer matches.
        var forged = parts[0] + "." + System.Buffers.Text.Base64Url.EncodeToString(
            System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).Replace("viewer", "owner"))) + "." + parts[2];
        Assert.False(tokens.TryValidate(forged, out _, out var error));
        Assert.Contains("signature", error);
        Assert.False(tokens.TryValidate(token[..^2] + (token[^2] == 'A' ? "BB" : "AA"), out _, out _));
        Assert.False(tokens.TryValidate(tokens.Issue(Claims(expiresIn: -1)), out _, out error));
        Assert.Contains("expired", error);
        Assert.False(Tokens("another-signing-key-0123456789abcdef-x").TryValidate(token, out _, out _));
        foreach (var bad in new[] { "", "bi1.", "bi1..", "bi1.a.b", "bi1.!!!.???", "nope", new string('x', 5000), "bi1." + new string('A', 3000) })
        {
            Assert.False(tokens.TryValidate(bad, out _, out _), bad);
        }
    }

    [Fact]
    public void ShortSigningKeysAreRefusedAndMissingOnesAreEphemeral()
    {
        Assert.Throws<InvalidOperationException>(() => Tokens("too-short"));
        var a = Tokens(null);
        var b = Tokens(null);
        Assert.True(a.KeyIsEphemeral);
        Assert.False(b.TryValidate(a.Issue(Claims()), out _, out _));
    }

    [Fact]
    public void ApiKeysMatchExactlyAndAreKnownByIdOnly()
    {
        var keys = new ApiKeys(Options.Create(new AuthOptions { ApiKeys = ["alpha-key", " beta-key ", ""] }));
        Assert.True(keys.Enabled);
        Assert.Equal(ApiKeys.IdOf("alpha-key"), keys.Match("alpha-key"));
        Assert.Equal(ApiKeys.IdOf("beta-key"), keys.Match("beta-key"));
        Assert.Null(keys.Match("alpha-key "));
        Assert.Null(keys.Match(""));
        Assert.DoesNotContain("alpha", ApiKeys.IdOf("alpha-key"));
        Assert.False(new ApiKeys(Options.Create(new AuthOptions { ApiKeys = ["  "] })).Enabled);
    }
}
