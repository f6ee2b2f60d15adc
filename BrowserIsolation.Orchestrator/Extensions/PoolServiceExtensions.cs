using BrowserIsolation.Orchestrator.Pool;
using BrowserIsolation.Orchestrator.Runners;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Extensions;

public static class PoolServiceExtensions
{
    /// <summary>Where runners come from (the warm pool, or cold starts when <c>Pool:Enabled=false</c>) and the reconciler.</summary>
    public static IHostApplicationBuilder AddWarmPool(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<PoolOptions>(builder.Configuration.GetSection(PoolOptions.Section));
        services.AddSingleton<PoolState>();
        services.AddSingleton<PoolMetrics>();
        services.AddSingleton<HostMemory>();
        services.AddSingleton<ColdStartEstimate>();
        services.AddSingleton<RunnerStopper>();
        services.AddSingleton<RunnerWarmup>();
        services.AddHttpClient(nameof(RunnerReconciler));
        services.AddHostedService<RunnerReconciler>();
        if (builder.Configuration.GetValue($"{PoolOptions.Section}:{nameof(PoolOptions.Enabled)}", true))
        {
            services.AddSingleton<WarmPool>();
            services.AddSingleton<IRunnerSource>(sp => sp.GetRequiredService<WarmPool>());
            services.AddHostedService<PoolAutoscaler>();
        }
        else
        {
            services.AddSingleton<IRunnerSource, ColdRunnerSource>();
            services.PostConfigure<PoolOptions>(o => o.Enabled = false);
        }
        services.AddSingleton<IValidateOptions<PoolOptions>, PoolOptionsValidator>();
        return builder;
    }
}

internal sealed class PoolOptionsValidator : IValidateOptions<PoolOptions>
{
    public ValidateOptionsResult Validate(string? name, PoolOptions o) =>
        o.MinSize < 0 || o.MaxSize < 0 ? ValidateOptionsResult.Fail("Pool:MinSize and Pool:MaxSize must be 0 or more")
        : o.DemandWindow <= TimeSpan.Zero ? ValidateOptionsResult.Fail("Pool:DemandWindow must be positive")
        : o.MaxConcurrentStarts < 1 ? ValidateOptionsResult.Fail("Pool:MaxConcurrentStarts must be at least 1")
        : ValidateOptionsResult.Success;
}
