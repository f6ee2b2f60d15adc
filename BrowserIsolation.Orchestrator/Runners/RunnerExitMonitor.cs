using BrowserIsolation.Orchestrator.Sessions;

namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>Turns a runner that died on its own into its session's error, within moments.</summary>
public sealed class RunnerExitMonitor(IRunnerProvider provider, SessionService sessions, ILogger<RunnerExitMonitor> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        provider.RunnerExited += OnExited;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        provider.RunnerExited -= OnExited;
        return Task.CompletedTask;
    }

    private void OnExited(RunnerExit exit) => _ = Task.Run(async () =>
    {
        try
        {
            await sessions.OnRunnerExitedAsync(exit);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not record the exit of runner {RunnerId}", exit.RunnerId);
        }
    });
}
