namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>Where a session's runner comes from: started cold, or claimed from the warm pool.</summary>
public interface IRunnerSource
{
    Task<AcquiredRunner> AcquireAsync(string sessionId, int width, int height, CancellationToken cancellationToken);

    /// <summary>Ends a runner that served (or was meant to serve) a session. Runners are never reused.</summary>
    Task ReleaseAsync(string runnerId, CancellationToken cancellationToken);
}

public sealed record AcquiredRunner(RunnerInstance Runner, bool PoolHit);

/// <summary>No pool: every session starts its own runner.</summary>
public sealed class ColdRunnerSource(IRunnerProvider provider) : IRunnerSource
{
    public async Task<AcquiredRunner> AcquireAsync(string sessionId, int width, int height, CancellationToken cancellationToken)
    {
        var runnerId = $"r-{Guid.NewGuid():N}"[..14];
        var labels = new Dictionary<string, string> { ["session"] = sessionId, ["pool"] = "claimed" };
        var runner = await provider.StartAsync(new RunnerStartRequest(runnerId, width, height, labels), cancellationToken);
        return new AcquiredRunner(runner, PoolHit: false);
    }

    public Task ReleaseAsync(string runnerId, CancellationToken cancellationToken) => provider.StopAsync(runnerId, cancellationToken);
}
