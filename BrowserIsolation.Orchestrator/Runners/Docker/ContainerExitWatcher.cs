using System.Globalization;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>
/// Follows the daemon's <c>die</c> events for our containers and reports each one. The stream is resumed from the last
/// event seen (the daemon replays what it still remembers) and, after every reconnect, <c>afterGap</c> lets the owner
/// check by inspect what could still have been missed (a restarted daemon remembers no events). An outage is logged
/// once when it starts and once when it ends, never per retry.
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
    private DaemonGap? _lastGap;

    /// <summary>The latest time the events stream was lost: <see cref="DaemonGap.To"/> is null while it still is.</summary>
    public DaemonGap? LastGap => Volatile.Read(ref _lastGap);

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
        while (!stop.IsCancellationRequested)
        {
            string problem;
            try
            {
                if (LastGap is { To: null } gap)
                {
                    await docker.System.PingAsync(stop);
                    await afterGap(stop);
                    var now = DateTimeOffset.UtcNow;
                    Volatile.Write(ref _lastGap, gap with { To = now });
                    logger.LogInformation("The Docker events stream is back after {Seconds:0.0} s", (now - gap.From).TotalSeconds);
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
                problem = "the stream ended";
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (DockerFailure.Is(e, stop))
            {
                problem = e.GetBaseException().Message;
            }
            catch (Exception e)
            {
                // not the daemon being away: worth its stack trace
                logger.LogWarning(e, "Following Docker events failed; retrying in {Delay}", RetryDelay);
                problem = e.Message;
            }
            if (LastGap is not { To: null })
            {
                Volatile.Write(ref _lastGap, new DaemonGap(DateTimeOffset.UtcNow, null));
                logger.LogWarning("Lost the Docker events stream ({Problem}); retrying every {Delay} until the daemon answers", problem, RetryDelay);
            }
            else
            {
                logger.LogDebug("Docker events still unavailable: {Problem}", problem);
            }
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

/// <summary>A time the Docker daemon's events could not be followed (it was down, restarting, or unreachable).</summary>
internal sealed record DaemonGap(DateTimeOffset From, DateTimeOffset? To)
{
    /// <summary>Whether something that happened at <paramref name="at"/> fell within this gap (a second of slack each side).</summary>
    public bool Covers(DateTimeOffset at) => at >= From.AddSeconds(-1) && (To is null || at <= To.Value.AddSeconds(1));
}
