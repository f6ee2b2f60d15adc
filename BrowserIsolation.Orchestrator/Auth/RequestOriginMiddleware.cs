using BrowserIsolation.Orchestrator.Apis;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>
/// Browser-borne attacks on API and WebSocket paths:
/// <list type="bullet">
/// <item>cross-site WebSocket hijacking and cross-site POSTs: a WebSocket upgrade or a state-changing request whose
/// <c>Origin</c> is not allowed is refused (403);</item>
/// <item>DNS rebinding: with auth off, only loopback host names are answered, so a foreign name that resolves to
/// 127.0.0.1 cannot drive the server from a web page.</item>
/// </list>
/// </summary>
public sealed class RequestOriginMiddleware(RequestDelegate next, OriginPolicy origins, ApiKeys apiKeys)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/ws"))
        {
            return next(context);
        }
        if (!apiKeys.Enabled && !OriginPolicy.IsLoopbackHost(request.Host))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "host_not_allowed", "Forbidden",
                "with authentication off the server answers loopback host names only (localhost, 127.0.0.1, [::1])").ExecuteAsync(context);
        }
        var stateChanging = context.WebSockets.IsWebSocketRequest || !(HttpMethods.IsGet(request.Method) ||
            HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
        if (stateChanging && request.Headers.Origin.ToString() is { Length: > 0 } origin && !origins.IsAllowed(origin, request))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "origin_not_allowed", "Forbidden",
                $"requests from the origin '{Truncate(origin)}' are not allowed; add it to Auth:AllowedOrigins").ExecuteAsync(context);
        }
        return next(context);
    }

    private static string Truncate(string s) => s.Length > 100 ? s[..100] + "…" : s;
}
