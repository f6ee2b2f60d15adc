using BrowserIsolation.Orchestrator.Apis;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>The 401 and 403 problems of the access checks (stable codes, <c>WWW-Authenticate: Bearer</c> on 401).</summary>
public static class AccessProblems
{
    public static Task Unauthorized(HttpContext context, string code, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Create(StatusCodes.Status401Unauthorized, code, "Unauthorized", detail).ExecuteAsync(context);
    }

    public static Task Forbidden(HttpContext context, string code, string detail) =>
        Problems.Create(StatusCodes.Status403Forbidden, code, "Forbidden", detail).ExecuteAsync(context);
}
