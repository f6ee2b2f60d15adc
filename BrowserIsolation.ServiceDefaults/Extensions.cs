using BrowserIsolation.ServiceDefaults.Health;
using BrowserIsolation.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>eShop-style service defaults: OpenTelemetry, health checks and service discovery.</summary>
public static class Extensions
{
    private const string HealthPath = "/health";
    private const string AlivePath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        // Every client resolves http://{service} from Aspire's services__{service}__{endpoint}__{index}. No standard
        // resilience handler here: the clients of this app call runners with commands that must not be repeated
        // (the orchestrator adds retries for reads itself, Runners/RunnerCallResilience).
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        // An instance id given in OTEL_RESOURCE_ATTRIBUTES (Aspire's per replica, the runner id for Docker runners) must win
        // over a generated one, or the dashboard cannot tell which replica or runner sent what.
        var hasInstanceId = builder.Configuration["OTEL_RESOURCE_ATTRIBUTES"]?.Contains("service.instance.id=", StringComparison.Ordinal) == true;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, autoGenerateServiceInstanceId: !hasInstanceId))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(OpenTelemetrySetup.SourceName))
            .WithTracing(tracing => tracing
                .AddSource(OpenTelemetrySetup.SourceName)
                // Health probes (Aspire's, the pool's, Docker's) come every few seconds: as traces they would push the
                // session traces out of the dashboard's window.
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsHealthProbe(context.Request.Path))
                .AddHttpClientInstrumentation(http => http.FilterHttpRequestMessage = request => !IsHealthProbe(request.RequestUri?.AbsolutePath)));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    private static bool IsHealthProbe(string? path) =>
        path is not null && (path.StartsWith(HealthPath, StringComparison.OrdinalIgnoreCase) || path.StartsWith(AlivePath, StringComparison.OrdinalIgnoreCase));

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// /health (every check, as JSON with each check's reason) and /alive (liveness only). /alive is open to anyone;
    /// /health too unless <paramref name="healthPolicy"/> names the authorization policy it needs.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app, string? healthPolicy = null)
    {
        var health = app.MapHealthChecks(HealthPath, new HealthCheckOptions { ResponseWriter = HealthReportJson.WriteAsync }).DisableRateLimiting();
        _ = healthPolicy is null ? health.AllowAnonymous() : health.RequireAuthorization(healthPolicy);
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") }).AllowAnonymous().DisableRateLimiting();
        return app;
    }
}
