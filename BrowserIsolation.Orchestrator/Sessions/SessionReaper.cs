using BrowserIsolation.Orchestrator.Relay;
using BrowserIsolation.Orchestrator.Store;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Sessions;

/// <summary>
/// Once a second: ends idle and over-age sessions, fails stuck starts, forgets old ended sessions, and keeps
/// sessions with clients on this replica marked active (so other replicas don't idle them out).
/// </summary>
public sealed class SessionReaper(
    SessionService sessions,
    SessionConnections connections,
    SessionMetrics metrics,
    IOptions<SessionLimits> options,
    TimeProvider time,
    ILogger<SessionReaper> logger) : BackgroundService
{
    private DateTimeOffset _lastHeartbeat = DateTimeOffset.MinValue;
    private bool _storeDown;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
                _storeDown = false;
            }
            catch (StoreUnavailableException ex)
            {
                // Once per outage, not once a second with a stack trace.
                if (!_storeDown)
                {
                    logger.LogWarning("Session sweeps paused: {Reason}", ex.Message);
                    _storeDown = true;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Session sweep failed; retrying");
            }
        }
    }

    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var all = await sessions.ListAsync(cancellationToken);
        metrics.SetActive(all.Count(s => s.IsActive));
        var heartbeat = now - _lastHeartbeat > TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, o.IdleTimeout.Ticks / 3));
        foreach (var s in all)
        {
            var local = connections.Count(s.SessionId);
            if (s.IsActive && now - s.CreatedAt > o.MaxLifetime)
            {
                await sessions.TerminateAsync(s.SessionId, "maximum session lifetime reached", cancellationToken);
            }
            else if (s.Status == SessionStatus.Pending && now - s.CreatedAt > o.StartTimeout + TimeSpan.FromSeconds(5))
            {
                await sessions.FailAsync(s.SessionId, "the browser did not start in time");
            }
            else if (s.Status == SessionStatus.Ready && local == 0 && now - s.LastActivityAt > o.IdleTimeout)
            {
                await sessions.TerminateAsync(s.SessionId, $"idle: no client for {o.IdleTimeout.TotalMinutes:0.#} min", cancellationToken);
            }
            else if (s.Status == SessionStatus.Ready && local > 0 && heartbeat)
            {
                await sessions.TouchAsync(s.SessionId);
            }
            else if (!s.IsActive && s.EndedAt is { } ended && now - ended > o.EndedRetention)
            {
                await sessions.ForgetAsync(s.SessionId, cancellationToken);
            }
        }
        if (heartbeat)
        {
            _lastHeartbeat = now;
        }
    }
}
