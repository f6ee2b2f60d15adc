using BrowserIsolation.Orchestrator.Relay;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Runners.Process;
using BrowserIsolation.Orchestrator.Sessions;

namespace BrowserIsolation.Orchestrator.Extensions;

public static class ApplicationServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.Configure<SessionLimits>(builder.Configuration.GetSection(SessionLimits.Section));
        services.Configure<RunnerOptions>(builder.Configuration.GetSection(RunnerOptions.Section));
        services.AddSingleton(TimeProvider.System);

        builder.AddSessionStore();

        services.AddSingleton<ProcessRunnerProvider>();
        services.AddSingleton<IRunnerProvider>(sp => sp.GetRequiredService<ProcessRunnerProvider>());
        builder.AddWarmPool();
        services.AddHttpClient<RunnerClient>(c => c.Timeout = TimeSpan.FromSeconds(30));

        services.AddSingleton<SessionMetrics>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<SessionConnections>();
        services.AddSingleton<WebSocketRelay>();
        services.AddHostedService<RunnerExitMonitor>();
        services.AddHostedService<SessionReaper>();
        return builder;
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
