using Microsoft.Extensions.Logging;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>
/// Follows the daemon's <c>die</c> events for our containers and reports each one. The stream is resumed from the last
/// event seen (the daemon replays what it still remembers) and, after every reconnect, <c>afterGap</c> lets the owner
/// check by inspect what could still have been missed.
/// </summary>
internal sealed class ContainerExitWatcher(
    DockerEngineClient docker,
    string labelFilter,
    Func<string, Task> onExit,
    Func<CancellationToken, Task> afterGap,
    ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _loop;

    /// <summary>Starts following events from a second ago (so a container started right after this call is covered).</summary>
    public void EnsureStarted()
    {
        lock (_gate)
        {
            _loop ??= Task.Run(() => RunAsync(DateTimeOffset.UtcNow.AddSeconds(-1), _stop.Token));
        }
    }

    private async Task RunAsync(DateTimeOffset since, CancellationToken stop)
    {
        var filters = new Dictionary<string, string[]>
        {
            ["type"] = ["container"],
            ["event"] = ["die"],
            ["label"] = [labelFilter],
        };
        var reconnecting = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (reconnecting)
                {
                    await afterGap(stop);
                }
                await foreach (var e in docker.StreamEventsAsync(filters, since, stop))
                {
                    if (e.TimeNano > 0)
                    {
                        since = DateTimeOffset.UnixEpoch.AddTicks(e.TimeNano / 100);
                    }
                    if (e.Actor?.ID is { } id)
                    {
                        await onExit(id);
                    }
                }
                logger.LogWarning("The Docker events stream ended; reconnecting");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Following Docker events failed; retrying in {Delay}", RetryDelay);
            }
            reconnecting = true;
            try
            {
                await Task.Delay(RetryDelay, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
        }
        if (loop is not null)
        {
            await loop;
        }
        _stop.Dispose();
    }
}
