using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>A credential that came with the request but is not valid: refused with its own code (never treated as anonymous).</summary>
public sealed class CredentialRefusedException(string code, string detail) : Exception(detail)
{
    public string Code { get; } = code;
}

/// <summary>
/// Establishes the <see cref="Caller"/> from <c>Authorization: Bearer</c> (an API key or a join token) or, on WebSocket
/// upgrades only, <c>?token=</c> (browsers cannot set headers there). Whether the caller may do what it asks is the
/// endpoint's <see cref="ApiAccessRule"/>, decided by <see cref="SessionAccessHandler"/>.
/// </summary>
public sealed class CallerAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeys apiKeys, JoinTokens tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "BrowserIsolation";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credential = Credential(Context);
        Caller caller;
        if (string.IsNullOrEmpty(credential))
        {
            if (apiKeys.Enabled)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }
            caller = new Caller(CallerKind.Operator, "anonymous");
        }
        else if (JoinTokens.LooksLikeToken(credential))
        {
            if (!tokens.TryValidate(credential, out var claims, out var error))
            {
                return Task.FromResult(AuthenticateResult.Fail(new CredentialRefusedException("invalid_token", error)));
            }
            caller = new Caller(CallerKind.Participant, $"participant:{claims.SessionId}:{claims.ParticipantId}", claims);
        }
        else if (apiKeys.Match(credential) is { } keyId)
        {
            caller = new Caller(CallerKind.Operator, keyId);
        }
        else if (apiKeys.Enabled)
        {
            return Task.FromResult(AuthenticateResult.Fail(new CredentialRefusedException("invalid_api_key", "the API key is not valid")));
        }
        else
        {
            caller = new Caller(CallerKind.Operator, "anonymous");
        }
        Context.SetCaller(caller);
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, caller.Name)], SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        AccessProblems.Unauthorized(Context, "api_key_required", "an API key is required (Authorization: Bearer <key>)");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AccessProblems.Forbidden(Context, "forbidden", "this credential may not do this");

    private static string? Credential(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header[7..].Trim();
        }
        // Query tokens end up in access logs, so only where there is no other way: the WebSocket.
        return context.WebSockets.IsWebSocketRequest && context.Request.Query["token"].ToString() is { Length: > 0 } token ? token.Trim() : null;
    }
}
