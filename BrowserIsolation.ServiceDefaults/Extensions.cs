using BrowserIsolation.ServiceDefaults.Discovery;
using BrowserIsolation.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.Hosting;

/// <summary>eShop-style service defaults: OpenTelemetry, health checks and service discovery.</summary>
public static class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// /health (every check) and /alive (liveness only), plus the request-span tags ASP.NET Core 10 leaves empty. /alive is
    /// open to anyone; /health too unless <paramref name="healthPolicy"/> names the authorization policy it needs.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app, string? healthPolicy = null)
    {
        app.UseMiddleware<HttpSpanTagsMiddleware>();
        var health = app.MapHealthChecks("/health").DisableRateLimiting();
        _ = healthPolicy is null ? health.AllowAnonymous() : health.RequireAuthorization(healthPolicy);
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") }).AllowAnonymous().DisableRateLimiting();
        return app;
    }
}
