using BrowserIsolation.Orchestrator.Store;

namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>
/// When the orchestrator starts: runners left over from an earlier run (a restart, a crash) are adopted when an active
/// session still names them, and stopped otherwise. Runners started after this orchestrator came up are never touched.
/// Retries in the background while the provider cannot list (e.g. the Docker daemon is not up yet).
/// </summary>
public sealed class RunnerReconciler(IRunnerProvider provider, ISessionStore store, TimeProvider time, ILogger<RunnerReconciler> logger)
    : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await ReconcileAsync(stoppingToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Could not reconcile {Provider} runners; retrying in {Delay}", provider.Name, delay);
            }
            await Task.Delay(delay, time, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    internal async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var leftovers = (await provider.ListAsync(cancellationToken)).Where(r => r.StartedAt < _startedAt).ToList();
        if (leftovers.Count == 0)
        {
            return;
        }
        var owned = (await store.ListAsync(cancellationToken))
            .Where(s => s.IsActive && s.RunnerId is not null)
            .Select(s => s.RunnerId!)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var runner in leftovers)
        {
            if (owned.Contains(runner.RunnerId))
            {
                logger.LogInformation("Adopted {Provider} runner {RunnerId} at {ControlUri}", provider.Name, runner.RunnerId, runner.ControlUri);
                continue;
            }
            logger.LogInformation("Stopping leftover {Provider} runner {RunnerId}: no session owns it", provider.Name, runner.RunnerId);
            await provider.StopAsync(runner.RunnerId, cancellationToken);
        }
    }
}
