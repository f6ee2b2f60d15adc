using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BrowserIsolation.Orchestrator.Store;

/// <summary>
/// The one Redis connection of this orchestrator. Async calls are used only, and each is bounded by
/// <see cref="StoreOptions.OperationTimeout"/> and a failure becomes a <see cref="StoreUnavailableException"/>.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer;
    private readonly StoreOptions _options;

    public RedisConnection(string connectionString, IOptions<StoreOptions> options, ILogger<RedisConnection> logger)
    {
        _options = options.Value;
        Keys = new RedisKeys(_options.Deployment);
        var config = ConfigurationOptions.Parse(connectionString);
        // Never fail start-up or a call waiting for a connection: reconnect in the background, answer 503 meanwhile.
        config.AbortOnConnectFail = false;
        config.ConnectRetry = 1;
        config.ConnectTimeout = (int)_options.ConnectTimeout.TotalMilliseconds;
        config.SyncTimeout = (int)_options.OperationTimeout.TotalMilliseconds;
        config.KeepAlive = 5;
        // Back within a second of Redis: a linear, short retry instead of the client's exponential default.
        config.ReconnectRetryPolicy = new LinearRetry(500);
        config.ClientName ??= "browserisolation-orchestrator";
        Endpoint = string.Join(",", config.EndPoints.Select(e => e.ToString()));
        _multiplexer = new Lazy<Task<ConnectionMultiplexer>>(async () =>
        {
            var multiplexer = await ConnectionMultiplexer.ConnectAsync(config);
            multiplexer.ConnectionFailed += (_, e) => logger.LogWarning("Redis connection lost ({Endpoint}): {Failure}", e.EndPoint, e.FailureType);
            multiplexer.ConnectionRestored += (_, e) =>
            {
                logger.LogInformation("Redis connection restored ({Endpoint})", e.EndPoint);
                if (e.ConnectionType == ConnectionType.Interactive)
                {
                    Restored?.Invoke();
                }
            };
            return multiplexer;
        });
    }

    public RedisKeys Keys { get; }

    /// <summary>Hands the multiplexer to <paramref name="use"/> once it exists (tracing instruments it); starts connecting.</summary>
    public void WhenConnected(Action<IConnectionMultiplexer> use) =>
        _multiplexer.Value.ContinueWith(t => use(t.Result), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    /// <summary>The connection came back after a loss (the server may have restarted empty).</summary>
    public event Action? Restored;

    public string Endpoint { get; }

    /// <summary>Runs one store call against the database, bounded in time; Redis failures become StoreUnavailableException.</summary>
    public async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> call, CancellationToken cancellationToken)
    {
        var multiplexer = await ConnectedAsync(cancellationToken);
        try
        {
            return await call(multiplexer.GetDatabase()).WaitAsync(_options.OperationTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or TimeoutException)
        {
            throw Unavailable(ex);
        }
    }

    public Task RunAsync(Func<IDatabase, Task> call, CancellationToken cancellationToken) =>
        RunAsync<bool>(async db => { await call(db); return true; }, cancellationToken);

    public async Task<ISubscriber> SubscriberAsync(CancellationToken cancellationToken) =>
        (await ConnectedAsync(cancellationToken)).GetSubscriber();

    /// <summary>Publishes without waiting long: a lost notification is repaired by the periodic sweeps.</summary>
    public async Task PublishAsync(RedisChannel channel, string message, CancellationToken cancellationToken)
    {
        var subscriber = await SubscriberAsync(cancellationToken);
        try
        {
            await subscriber.PublishAsync(channel, message).WaitAsync(_options.OperationTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or TimeoutException)
        {
            throw Unavailable(ex);
        }
    }

    private async Task<ConnectionMultiplexer> ConnectedAsync(CancellationToken cancellationToken)
    {
        ConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await _multiplexer.Value.WaitAsync(_options.OperationTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisConnectionException or TimeoutException)
        {
            throw Unavailable(ex);
        }
        if (!multiplexer.IsConnected)
        {
            throw new StoreUnavailableException($"Redis at {Endpoint} is not reachable");
        }
        return multiplexer;
    }

    private StoreUnavailableException Unavailable(Exception ex) => new(ex is TimeoutException
        ? $"Redis at {Endpoint} did not answer within {_options.OperationTimeout.TotalMilliseconds:0} ms"
        : $"Redis at {Endpoint} is not reachable: {FirstLine(ex.Message)}", ex);

    private static string FirstLine(string message) => message.Split(';', 2)[0];

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully)
        {
            var multiplexer = await _multiplexer.Value;
            await multiplexer.CloseAsync(allowCommandsToComplete: false).WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default);
            multiplexer.Dispose();
        }
    }
}
