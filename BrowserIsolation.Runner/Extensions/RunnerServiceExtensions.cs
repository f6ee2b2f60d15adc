using BrowserIsolation.Runner.Audio;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Capture;
using BrowserIsolation.Runner.Clients;
using BrowserIsolation.Runner.Control;
using BrowserIsolation.Runner.Enforcement;
using BrowserIsolation.Runner.Media;
using BrowserIsolation.Runner.Participants;
using BrowserIsolation.Runner.Policy;
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
        builder.AddRunnerPolicy();
        builder.AddCoBrowse();
        builder.Services.AddSingleton<FrameHub>();
        builder.Services.AddSingleton<BrowserHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BrowserHost>());
        builder.AddAudio();
        builder.Services.AddSingleton<ClientHub>();
        builder.Services.AddSingleton<StreamMetrics>();
        builder.AddVideoPipeline();
        builder.Services.AddWebRtc(builder.Configuration);
        builder.Services.AddHealthChecks().AddCheck<BrowserHealthCheck>("browser");
        return builder;
    }
}

/// <summary>The egress guard and the URL policy, enforced through the proxy and CDP (Enforcement/), and the control API's services.</summary>
public static class RunnerPolicyExtensions
{
    public static IHostApplicationBuilder AddRunnerPolicy(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        // Registered before AddEgressPolicy, which only adds the system resolver when none is there.
        services.AddSingleton<IEgressResolver>(_ => ConfiguredHostsResolver.FromConfiguration(configuration, new SystemEgressResolver()));
        services.AddEgressPolicy(configuration);
        services.AddSingleton<IChromiumArgsSource, NavigationChromiumArgs>();
        services.AddSingleton<VisitedOrigins>();
        services.AddSingleton<RequestInterceptor>();
        services.AddSingleton<TargetGate>();
        services.AddSingleton<PolicyEnforcer>();
        // Attached in this order: interception first, so nothing loads unchecked.
        services.AddSingleton<IBrowserConcern>(sp => sp.GetRequiredService<RequestInterceptor>());
        services.AddSingleton<IBrowserConcern>(sp => sp.GetRequiredService<TargetGate>());
        services.AddSingleton<IBrowserConcern>(sp => sp.GetRequiredService<PolicyEnforcer>());
        services.Configure<Downloads.DownloadQuota>(configuration.GetSection(Downloads.DownloadQuota.Section));
        services.AddSingleton<Downloads.DownloadGuard>();
        services.AddSingleton<IBrowserConcern>(sp => sp.GetRequiredService<Downloads.DownloadGuard>());
        services.AddSingleton<BrowserControl>();
        services.AddSingleton<BrowserEvents>();
        services.AddHostedService(sp => sp.GetRequiredService<BrowserEvents>());
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
