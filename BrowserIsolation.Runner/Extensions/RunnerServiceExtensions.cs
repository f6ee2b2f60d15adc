using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Capture;
using BrowserIsolation.Runner.Clients;
using BrowserIsolation.Runner.Media;
using BrowserIsolation.Runner.WebRtc;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BrowserIsolation.Runner.Extensions;

public static class RunnerServiceExtensions
{
    public static IHostApplicationBuilder AddRunnerServices(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<RunnerOptions>(builder.Configuration.GetSection(RunnerOptions.Section));
        builder.Services.Configure<ChromiumOptions>(builder.Configuration.GetSection(ChromiumOptions.Section));
        builder.Services.AddSingleton<RunnerState>();
        builder.Services.AddSingleton<FrameHub>();
        builder.Services.AddSingleton<BrowserHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BrowserHost>());
        builder.Services.AddSingleton<ClientHub>();
        builder.Services.AddSingleton<StreamMetrics>();
        builder.AddVideoPipeline();
        builder.Services.AddWebRtc(builder.Configuration);
        builder.Services.AddHealthChecks().AddCheck<BrowserHealthCheck>("browser");
        return builder;
    }
}

internal sealed class BrowserHealthCheck(BrowserHost browser) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(browser.IsReady
            ? HealthCheckResult.Healthy("Chromium connected")
            : HealthCheckResult.Unhealthy(browser.Ready.IsFaulted ? browser.Ready.Exception!.GetBaseException().Message : "Chromium is starting"));
}
