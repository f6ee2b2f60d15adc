using BrowserIsolation.Orchestrator.Store;

namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>
/// Ends a runner wherever it runs. A runner this replica's provider can see is stopped here; otherwise (another
/// replica started it, e.g. a pool runner claimed across replicas) the replicas are asked to stop it.
/// </summary>
public sealed class RunnerStopper(IRunnerProvider provider, IRunnerStopRequests requests, ILogger<RunnerStopper> logger)
{
    public async Task StopAsync(string runnerId, CancellationToken cancellationToken)
    {
        var local = await IsLocalAsync(runnerId, cancellationToken);
        // Also when not listed: the provider may still know it (started by us, not yet recorded). Stop is idempotent.
        await provider.StopAsync(runnerId, cancellationToken);
        if (!local)
        {
            try
            {
                await requests.RequestStopAsync(runnerId, cancellationToken);
            }
            catch (StoreUnavailableException ex)
            {
                logger.LogWarning("Could not ask the other replicas to stop runner {RunnerId}: {Reason}; reconciliation will end it",
                    runnerId, ex.Message);
            }
        }
    }

    /// <summary>A stop request from another replica: honoured if the runner is ours to reach.</summary>
    public async Task OnStopRequestedAsync(string runnerId)
    {
        if (await IsLocalAsync(runnerId, CancellationToken.None))
        {
            logger.LogInformation("Stopping runner {RunnerId} at another replica's request", runnerId);
            await provider.StopAsync(runnerId, CancellationToken.None);
        }
    }

    private async Task<bool> IsLocalAsync(string runnerId, CancellationToken cancellationToken) =>
        (await provider.ListAsync(cancellationToken)).Any(r => r.RunnerId == runnerId);
}

/// <summary>How a replica asks the others to stop a runner it cannot reach itself.</summary>
public interface IRunnerStopRequests
{
    Task RequestStopAsync(string runnerId, CancellationToken cancellationToken);
}

/// <summary>One orchestrator: there is nobody else to ask.</summary>
public sealed class NoOtherReplicas : IRunnerStopRequests
{
    public Task RequestStopAsync(string runnerId, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Stop requests over the deployment's Redis channel; this replica listens for the others' requests.</summary>
public sealed class RedisRunnerStopRequests(RedisConnection redis, ReplicaIdentity replica, IServiceProvider services,
    ILogger<RedisRunnerStopRequests> logger) : BackgroundService, IRunnerStopRequests
{
    public Task RequestStopAsync(string runnerId, CancellationToken cancellationToken) =>
        redis.PublishAsync(redis.Keys.RunnerStops, $"{replica.Id}|{runnerId}", cancellationToken);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        RedisSubscribe.UntilSubscribedAsync(redis, redis.Keys.RunnerStops, OnMessage, logger, stoppingToken);

    private void OnMessage(string message)
    {
        var parts = message.Split('|', 2);
        if (parts.Length != 2 || parts[0] == replica.Id)
        {
            return;
        }
        // Resolved late: the stopper depends on the provider, which is created after this subscription.
        var stopper = services.GetRequiredService<RunnerStopper>();
        _ = Task.Run(async () =>
        {
            try
            {
                await stopper.OnStopRequestedAsync(parts[1]);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not stop runner {RunnerId} on request", parts[1]);
            }
        });
    }
}
