using System.Diagnostics;
using BrowserIsolation.Orchestrator.Sessions;
using BrowserIsolation.Orchestrator.Store;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>
/// On a clean stop, ends the runners nobody else can use: with the in-memory store no replica and no restart can
/// adopt them, so every session ends (as terminated, with the reason) and every runner this orchestrator's provider
/// sees goes, pool runners included, within <see cref="RunnerOptions.ShutdownTimeout"/>. With a shared store they stay
/// for the other replicas or the restart to adopt. A killed orchestrator is cleaned up by <see cref="RunnerReconciler"/>.
/// </summary>
public sealed class RunnerShutdown(
    ISessionStore store,
    SessionService sessions,
    IRunnerProvider provider,
    IOptions<RunnerOptions> options,
    ILogger<RunnerShutdown> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (store.IsShared)
        {
            logger.LogInformation("Stopping: runners stay for the other replicas (shared session store)");
            return;
        }
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(options.Value.ShutdownTimeout);
        var clock = Stopwatch.StartNew();
        try
        {
            var active = (await store.ListAsync(bound.Token)).Where(s => s.IsActive).ToList();
            await Task.WhenAll(active.Select(s => sessions.TerminateAsync(s.SessionId, "the orchestrator stopped", bound.Token)))
                .WaitAsync(bound.Token);
            var runners = await provider.ListAsync(bound.Token);
            await Task.WhenAll(runners.Select(r => provider.StopAsync(r.RunnerId, bound.Token))).WaitAsync(bound.Token);
            logger.LogInformation("Stopping: ended {Sessions} sessions and {Runners} runners in {Ms:0} ms", active.Count, runners.Count,
                clock.Elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Stopping: runners still running after {Seconds:0} s are left to the next start's reconciliation",
                options.Value.ShutdownTimeout.TotalSeconds);
        }
    }
}
