using System.Security.Claims;
using BrowserIsolation.Orchestrator.Apis;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>
/// Establishes the <see cref="Caller"/> of an API or WebSocket request from <c>Authorization: Bearer</c> (an API key or a
/// join token) or, on WebSocket paths only, <c>?token=</c> (browsers cannot set headers there). A credential that is
/// present but wrong is refused here; whether the caller may do what it asks is <see cref="SessionAccessMiddleware"/>'s call.
/// </summary>
public sealed class CallerMiddleware(RequestDelegate next, ApiKeys apiKeys, JoinTokens tokens)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments("/api") && !path.StartsWithSegments("/ws"))
        {
            return next(context);
        }
        var credential = Credential(context.Request);
        Caller caller;
        if (string.IsNullOrEmpty(credential))
        {
            caller = apiKeys.Enabled ? new Caller(CallerKind.Anonymous, "anonymous") : new Caller(CallerKind.Operator, "anonymous");
        }
        else if (JoinTokens.LooksLikeToken(credential))
        {
            if (!tokens.TryValidate(credential, out var claims, out var error))
            {
                return Unauthorized(context, "invalid_token", error);
            }
            caller = new Caller(CallerKind.Participant, $"participant:{claims.SessionId}:{claims.ParticipantId}", claims);
        }
        else if (apiKeys.Match(credential) is { } keyId)
        {
            caller = new Caller(CallerKind.Operator, keyId);
        }
        else if (apiKeys.Enabled)
        {
            return Unauthorized(context, "invalid_api_key", "the API key is not valid");
        }
        else
        {
            caller = new Caller(CallerKind.Operator, "anonymous");
        }
        context.SetCaller(caller);
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, caller.Name)],
            caller.Kind == CallerKind.Anonymous ? null : "Bearer"));
        return next(context);
    }

    private static string? Credential(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header[7..].Trim();
        }
        // Query tokens end up in access logs, so only where there is no other way: the WebSocket.
        return request.Path.StartsWithSegments("/ws") && request.Query["token"].ToString() is { Length: > 0 } token ? token.Trim() : null;
    }

    internal static Task Unauthorized(HttpContext context, string code, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Create(StatusCodes.Status401Unauthorized, code, "Unauthorized", detail).ExecuteAsync(context);
    }
}
