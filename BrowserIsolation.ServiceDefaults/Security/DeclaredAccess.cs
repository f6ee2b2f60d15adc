using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BrowserIsolation.ServiceDefaults.Security;

/// <summary>
/// Fail closed: an endpoint that does not declare who may call it (an authorization policy, or explicitly anonymous) is
/// never run, and a request under a guarded prefix (any spelling) that reaches no endpoint at all is refused. Runs after
/// routing, so it sees the endpoint the request will really reach.
/// </summary>
public static class DeclaredAccess
{
    /// <summary>True when the endpoint states its rule: <c>RequireAuthorization(...)</c> or <c>AllowAnonymous()</c>.</summary>
    public static bool HasRule(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null ||
        endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0 ||
        endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>().Count > 0;

    /// <param name="guardedPrefixes">under these (any case, empty segments ignored) a request must reach an endpoint that
    /// requires authorization, else it is answered 404: no page or anonymous endpoint answers an API-looking path.</param>
    public static IApplicationBuilder UseDeclaredAccessOnly(this IApplicationBuilder app, params string[] guardedPrefixes) =>
        app.Use((context, next) =>
        {
            var endpoint = context.GetEndpoint();
            if (endpoint is not null && !HasRule(endpoint))
            {
                return Refuse(context, StatusCodes.Status403Forbidden, "no_access_rule", "this endpoint declares no access rule, so nobody may call it");
            }
            if ((endpoint is null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null) && IsGuarded(context.Request.Path, guardedPrefixes))
            {
                return Refuse(context, StatusCodes.Status404NotFound, "not_found", "no such endpoint");
            }
            return next(context);
        });

    private static bool IsGuarded(PathString path, string[] prefixes)
    {
        var collapsed = new PathString("/" + string.Join('/', (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries)));
        return prefixes.Any(p => collapsed.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
    }

    private static Task Refuse(HttpContext context, int status, string code, string detail) =>
        Results.Problem(statusCode: status, title: status == 404 ? "Not found" : "Forbidden", detail: detail,
            extensions: new Dictionary<string, object?> { ["code"] = code }).ExecuteAsync(context);
}
