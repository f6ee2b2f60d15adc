namespace BrowserIsolation.Orchestrator.Store;

/// <summary>
/// Listens on the deployment's changes channel so that this replica raises every other replica's changes, and writes
/// this replica's sessions back when a lost connection is restored (<see cref="RedisSessionRepair"/>).
/// </summary>
public sealed class RedisChangeSubscription(RedisConnection redis, RedisSessionStore store, RedisSessionRepair repair,
    ILogger<RedisChangeSubscription> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.Restored += () => _ = Task.Run(() => RepairAsync(stoppingToken), CancellationToken.None);
        return RedisSubscribe.UntilSubscribedAsync(redis, redis.Keys.Changes, message => store.OnPublished(message), logger, stoppingToken);
    }

    private async Task RepairAsync(CancellationToken stoppingToken)
    {
        try
        {
            await repair.RepairAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is StoreUnavailableException or OperationCanceledException)
        {
            logger.LogWarning("Could not write sessions back to Redis yet: {Reason}", ex.Message);
        }
    }
}

/// <summary>Subscribing needs Redis up; until it is, retry. Once subscribed, the client re-subscribes after reconnects.</summary>
public static class RedisSubscribe
{
    public static async Task UntilSubscribedAsync(RedisConnection redis, StackExchange.Redis.RedisChannel channel, Action<string> handler,
        ILogger logger, CancellationToken stoppingToken)
    {
        var warned = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var subscriber = await redis.SubscriberAsync(stoppingToken);
                await subscriber.SubscribeAsync(channel, (_, value) => handler((string)value!)).WaitAsync(TimeSpan.FromSeconds(5), stoppingToken);
                logger.LogInformation("Subscribed to {Channel} on Redis {Endpoint}", (string)channel!, redis.Endpoint);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (!warned)
                {
                    logger.LogWarning("Cannot subscribe to {Channel} yet ({Reason}); retrying", (string)channel!, ex.Message);
                    warned = true;
                }
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
