using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace BrowserIsolation.ServiceDefaults.Telemetry;

public static class OpenTelemetrySetup
{
    /// <summary>The meter and activity source every BrowserIsolation service reports on.</summary>
    public const string SourceName = "BrowserIsolation";

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        var otel = new OpenTelemetryServicesBuilder(builder.Services);
        // An instance id given in OTEL_RESOURCE_ATTRIBUTES (Aspire's per replica, the runner id for Docker runners) must win
        // over a generated one, or the dashboard cannot tell which replica or runner sent what.
        var hasInstanceId = builder.Configuration["OTEL_RESOURCE_ATTRIBUTES"]?.Contains("service.instance.id=", StringComparison.Ordinal) == true;
        otel.ConfigureResource(r => r.AddService(serviceName, autoGenerateServiceInstanceId: !hasInstanceId))
            .WithTracing(t => t
                .AddSource(SourceName, "Microsoft.AspNetCore", "System.Net.Http")
                .SetSampler(new ParentBasedSampler(new AlwaysOnSampler())))
            .WithMetrics(m => m
                .AddMeter(SourceName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
                    "System.Net.Http", "System.Runtime"))
            .WithLogging();

        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
        });

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        // Without OpenTelemetry.Extensions.Hosting nothing builds the providers: do it once the host starts.
        builder.Services.AddHostedService<TelemetryProvidersStarter>();
        return builder;
    }

    /// <summary>IOpenTelemetryBuilder over the service collection (the Hosting package's AddOpenTelemetry is not on this registry).</summary>
    private sealed class OpenTelemetryServicesBuilder(IServiceCollection services) : IOpenTelemetryBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    private sealed class TelemetryProvidersStarter(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetService<TracerProvider>();
            _ = services.GetService<MeterProvider>();
            _ = services.GetService<LoggerProvider>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

}
