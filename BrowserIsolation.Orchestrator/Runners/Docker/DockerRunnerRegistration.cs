using Docker.DotNet;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

public static class DockerRunnerRegistration
{
    /// <summary>
    /// Registers <see cref="DockerRunnerProvider"/> as the <see cref="IRunnerProvider"/>, its Docker client (Runner:Docker:Host,
    /// else DOCKER_HOST, else the default socket), a <c>docker</c> health check and the start-up reconciliation of leftover containers.
    /// </summary>
    public static IServiceCollection AddDockerRunnerProvider(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<DockerRunnerOptions>(configuration.GetSection(DockerRunnerOptions.Section));
        services.AddSingleton(sp => DockerEndpoint.Parse(sp.GetRequiredService<IOptions<DockerRunnerOptions>>().Value.Host ?? configuration["DOCKER_HOST"]));
        services.AddSingleton<IDockerClient>(sp =>
            sp.GetRequiredService<DockerEndpoint>().CreateClient(sp.GetRequiredService<IOptions<DockerRunnerOptions>>().Value.RequestTimeout));
        services.AddSingleton<DockerRunnerProvider>();
        services.AddSingleton<IRunnerProvider>(sp => sp.GetRequiredService<DockerRunnerProvider>());
        services.AddHealthChecks().AddCheck<DockerDaemonHealthCheck>("docker");
        // Containers outlive the orchestrator; this provider only lists its own owner's, so reconciling is safe on a shared daemon.
        services.AddHostedService<RunnerReconciler>();
        return services;
    }
}

/// <summary>
/// Degraded while the Docker daemon does not answer: no runner can start, but running ones (live-restore) keep serving
/// their sessions, so this replica must stay in service.
/// </summary>
internal sealed class DockerDaemonHealthCheck(IDockerClient docker, DockerEndpoint endpoint) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        try
        {
            await docker.System.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (DockerFailure.Is(e, cancellationToken))
        {
            return HealthCheckResult.Degraded(DockerFailure.Describe(e, endpoint));
        }
    }
}
