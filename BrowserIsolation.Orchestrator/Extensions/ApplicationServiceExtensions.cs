using BrowserIsolation.Orchestrator.Apis;
using BrowserIsolation.Orchestrator.Participants;
using BrowserIsolation.Orchestrator.Relay;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Runners.Docker;
using BrowserIsolation.Orchestrator.Runners.Process;
using BrowserIsolation.Orchestrator.Sessions;
using BrowserIsolation.Orchestrator.Signaling;

namespace BrowserIsolation.Orchestrator.Extensions;

public static class ApplicationServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        builder.AddApiDocument();
        services.Configure<SessionLimits>(builder.Configuration.GetSection(SessionLimits.Section));
        services.Configure<RunnerOptions>(builder.Configuration.GetSection(RunnerOptions.Section));
        services.Configure<IceOptions>(builder.Configuration.GetSection(IceOptions.Section));
        services.AddSingleton(TimeProvider.System);

        builder.AddSessionStore();

        services.AddSingleton<RunnerPolicyEnvironment>();
        AddRunnerProvider(services, builder.Configuration);
        GuardedRunnerProvider.Register(services);
        builder.AddWarmPool();
        // Bodies are read with RunnerResponseBody's caps; this bounds anything buffered whole all the same.
        services.AddHttpClient<RunnerClient>(c =>
        {
            c.Timeout = TimeSpan.FromSeconds(30);
            c.MaxResponseContentBufferSize = 1024 * 1024;
        }).AddRunnerCallResilience();

        services.AddSingleton<SessionMetrics>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<HostCapacity>();
        services.AddSingleton<SessionConnections>();
        services.AddSingleton<WebSocketRelay>();
        services.Configure<CoBrowseOptions>(builder.Configuration.GetSection(CoBrowseOptions.Section));
        services.Configure<EmbeddingOptions>(builder.Configuration.GetSection(EmbeddingOptions.Section));
        services.AddTransient<ParticipantDirectory>();
        services.AddHostedService<RunnerExitMonitor>();
        services.AddHostedService<SessionReaper>();
        // Registered last, so it stops first, while the pool, the store and the provider still work.
        services.AddHostedService<RunnerShutdown>();
        return builder;
    }

    /// <summary>Runner:Provider picks the backend: <c>process</c> (default) or <c>docker</c>.</summary>
    private static void AddRunnerProvider(IServiceCollection services, IConfiguration configuration)
    {
        var provider = configuration[$"{RunnerOptions.Section}:Provider"];
        if (string.Equals(provider, DockerRunnerProvider.ProviderName, StringComparison.OrdinalIgnoreCase))
        {
            services.AddDockerRunnerProvider(configuration);
        }
        else if (string.IsNullOrEmpty(provider) || string.Equals(provider, "process", StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<ProcessRunnerProvider>();
            services.AddSingleton<IRunnerProvider>(sp => sp.GetRequiredService<ProcessRunnerProvider>());
        }
        else
        {
            throw new InvalidOperationException($"Runner:Provider '{provider}' is unknown: use process or docker");
        }
    }

    /// <summary><c>--urls</c>/<c>ASPNETCORE_URLS</c> win; else <c>PORT</c>; else http://localhost:8090.</summary>
    public static WebApplicationBuilder UseDefaultListenAddress(this WebApplicationBuilder builder)
    {
        var c = builder.Configuration;
        if (string.IsNullOrEmpty(c["urls"]) && string.IsNullOrEmpty(c["http_ports"]) && string.IsNullOrEmpty(c["https_ports"]) &&
            !c.GetSection("Kestrel:Endpoints").Exists())
        {
            var port = int.TryParse(c["PORT"], out var p) && p is > 0 and < 65536 ? p : 8090;
            builder.WebHost.UseUrls($"http://localhost:{port}");
        }
        return builder;
    }
}
