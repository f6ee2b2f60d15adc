using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>Degraded, with the last failure as the reason, while the start breaker is not closed.</summary>
internal sealed class RunnerStartHealthCheck(RunnerStartBreaker breaker) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        var status = breaker.Status;
        return Task.FromResult(status.State == "closed"
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"runner starts {status.State} after {status.FailuresInRow} failures: {status.LastFailure}"));
    }
}
