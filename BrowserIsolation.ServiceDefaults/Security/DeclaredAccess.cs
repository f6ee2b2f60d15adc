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

    public static IApplicationBuilder UseDeclaredAccessOnly(this IApplicationBuilder app, params string[] guardedPrefixes) =>
        app.Use((context, next) =>
        {
            var endpoint = context.GetEndpoint();
            if (endpoint is not null ? HasRule(endpoint) : !guardedPrefixes.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
            {
                return next(context);
            }
            return Results.Problem(statusCode: endpoint is null ? StatusCodes.Status404NotFound : StatusCodes.Status403Forbidden,
                title: endpoint is null ? "Not found" : "Forbidden",
                detail: endpoint is null ? "no such endpoint" : "this endpoint declares no access rule, so nobody may call it",
                extensions: new Dictionary<string, object?> { ["code"] = endpoint is null ? "not_found" : "no_access_rule" }).ExecuteAsync(context);
        });
}
