using BrowserIsolation.Orchestrator.Apis;
using BrowserIsolation.Orchestrator.Pool;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Store;
using Microsoft.Extensions.Options;
using OpenTelemetry.Instrumentation.StackExchangeRedis;
using OpenTelemetry.Trace;

namespace BrowserIsolation.Orchestrator.Extensions;

public static class StoreServiceExtensions
{
    /// <summary>
    /// Sessions and the pool inventory: in memory, or in Redis when <c>ConnectionStrings:sessions</c> is set. With
    /// Redis, process runners outlive the orchestrator by default (a restarted one adopts them).
    /// </summary>
    public static IHostApplicationBuilder AddSessionStore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<StoreOptions>(builder.Configuration.GetSection(StoreOptions.Section));
        services.AddSingleton<ReplicaIdentity>();
        services.AddExceptionHandler<StoreUnavailableHandler>();
        var connectionString = builder.Configuration.GetConnectionString(StoreOptions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.AddSingleton<ISessionStore, InMemorySessionStore>();
            services.AddSingleton<IPoolInventory, InMemoryPoolInventory>();
            services.AddSingleton<IRunnerStopRequests, NoOtherReplicas>();
            return builder;
        }

        services.AddSingleton(sp => new RedisConnection(connectionString, sp.GetRequiredService<IOptions<StoreOptions>>(),
            sp.GetRequiredService<ILogger<RedisConnection>>()));
        services.AddSingleton<RedisSessionRepair>();
        // Redis calls as spans, under the request or session span that made them.
        services.AddOpenTelemetry().WithTracing(t => t
            .AddRedisInstrumentation()
            .ConfigureRedisInstrumentation((sp, instrumentation) =>
                sp.GetRequiredService<RedisConnection>().WhenConnected(m => instrumentation.AddConnection(m))));
        services.AddSingleton<RedisSessionStore>();
        services.AddSingleton<ISessionStore>(sp => sp.GetRequiredService<RedisSessionStore>());
        services.AddSingleton<IPoolInventory, RedisPoolInventory>();
        services.AddSingleton<RedisRunnerStopRequests>();
        services.AddSingleton<IRunnerStopRequests>(sp => sp.GetRequiredService<RedisRunnerStopRequests>());
        services.AddHostedService<RedisChangeSubscription>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisRunnerStopRequests>());
        if (builder.Configuration[$"{RunnerOptions.Section}:Process:ExitWithOrchestrator"] is null)
        {
            services.PostConfigure<RunnerOptions>(o => o.Process.ExitWithOrchestrator = false);
        }
        return builder;
    }
}
