using System.Globalization;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>
/// Follows the daemon's <c>die</c> events for our containers and reports each one. The stream is resumed from the last
/// event seen (the daemon replays what it still remembers) and, after every reconnect, <c>afterGap</c> lets the owner
/// check by inspect what could still have been missed.
/// </summary>
internal sealed class ContainerExitWatcher(
    IDockerClient docker,
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
        var filters = new Dictionary<string, IDictionary<string, bool>>
        {
            ["type"] = new Dictionary<string, bool> { ["container"] = true },
            ["event"] = new Dictionary<string, bool> { ["die"] = true },
            ["label"] = new Dictionary<string, bool> { [labelFilter] = true },
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
                // The client reports events through IProgress from its reading loop: queue them, handle them here in order.
                var events = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
                var parameters = new ContainerEventsParameters { Filters = filters, Since = since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) };
                var stream = docker.System.MonitorEventsAsync(parameters, new EventQueue(events.Writer), stop)
                    .ContinueWith(t => events.Writer.TryComplete(t.IsFaulted ? t.Exception.GetBaseException() : null), TaskScheduler.Default);
                await foreach (var e in events.Reader.ReadAllAsync(stop))
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
                await stream;
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

    private sealed class EventQueue(ChannelWriter<Message> writer) : IProgress<Message>
    {
        public void Report(Message value) => writer.TryWrite(value);
    }
}
