using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Sessions;
using BrowserIsolation.Orchestrator.Store;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>
/// Keeps the pool at its target: target = clamp(min, max, demand rate x cold-start time + headroom). Starts runners
/// only into reserved slots (pool plus active sessions never beyond MaxSessions) and only while the host keeps its
/// memory reserve; stops surplus runners once the pool has been above target for the cool-down, and at once when
/// active sessions need the slots. Every replica runs one; the shared inventory makes their decisions add up.
/// </summary>
public sealed class PoolAutoscaler(
    WarmPool pool,
    IPoolInventory inventory,
    ISessionStore sessions,
    RunnerStopper stopper,
    HostMemory memory,
    ColdStartEstimate coldStart,
    PoolMetrics metrics,
    PoolState state,
    RunnerStartBreaker breaker,
    ReplicaIdentity replica,
    IOptions<PoolOptions> poolOptions,
    IOptions<SessionLimits> limits,
    IOptions<RunnerOptions> runnerOptions,
    TimeProvider time,
    ILogger<PoolAutoscaler> logger) : BackgroundService
{
    private readonly PoolOptions _options = poolOptions.Value;
    private DateTimeOffset? _surplusSince;
    private int _lastTarget = -1;
    private string? _lastDecision;
    private bool _warnedUnavailable;
    private bool _warnedMemory;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TickAsync(stoppingToken);
                _warnedUnavailable = false;
            }
            catch (StoreUnavailableException ex)
            {
                if (!_warnedUnavailable)
                {
                    logger.LogWarning("Pool autoscaler paused: {Reason}", ex.Message);
                    _warnedUnavailable = true;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Pool autoscaler tick failed; retrying");
            }
            try
            {
                await pool.WaitForChangeAsync(_options.Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var maxSessions = limits.Value.MaxSessions;
        var snapshot = await inventory.SnapshotAsync(_options.DemandWindow, cancellationToken);
        await ForgetStaleAsync(snapshot, now, cancellationToken);

        var target = PoolTarget.Compute(snapshot.RecentDemand, _options.DemandWindow, coldStart.Current, _options);
        if (target != _lastTarget)
        {
            if (_lastTarget >= 0)
            {
                metrics.Decision(target > _lastTarget ? "target_up" : "target_down", "demand");
                logger.LogInformation("Pool target {From} -> {To} ({Demand} starts in {Window:0}s, cold start {Cold:0} ms)",
                    _lastTarget, target, snapshot.RecentDemand, _options.DemandWindow.TotalSeconds, coldStart.Current.TotalMilliseconds);
            }
            _lastTarget = target;
        }

        // Down: surplus over target waits out the cool-down; pool runners that active sessions need go at once.
        var size = snapshot.Available.Count + snapshot.Starting.Count;
        _surplusSince = size > target ? _surplusSince ?? now : null;
        var trimToTarget = _surplusSince is { } since && now - since >= _options.CoolDown;
        var overSlots = snapshot.ActiveSessions + size > maxSessions;
        while (await inventory.TryTrimAsync(replica.Id, target, maxSessions, trimToTarget, cancellationToken) is { } surplus)
        {
            var reason = overSlots ? "sessions_need_slots" : "above_target";
            Decide("stop", reason);
            logger.LogInformation("Stopping pool runner {RunnerId}: {Reason}", surplus.RunnerId, reason);
            _ = Task.Run(() => stopper.StopAsync(surplus.RunnerId, CancellationToken.None), CancellationToken.None);
        }

        // Up: into reserved slots only, while the host keeps its memory reserve, and while the start breaker lets starts
        // through (one at a time when it probes).
        var hostAvailable = memory.AvailableMiB();
        while (pool.LocalStarting < (breaker.IsProbing ? 1 : _options.MaxConcurrentStarts) && !breaker.IsRefusing)
        {
            if (hostAvailable is { } free && free - (long)(pool.LocalStarting + 1) * _options.RunnerMemoryMiB < _options.MemoryReserveMiB)
            {
                if (size < target)
                {
                    if (!_warnedMemory)
                    {
                        Decide("blocked", "host_memory");
                        logger.LogWarning("Pool below target ({Size}/{Target}) but the host has {Free} MiB free (reserve {Reserve} MiB)",
                            size, target, free, _options.MemoryReserveMiB);
                        _warnedMemory = true;
                    }
                }
                break;
            }
            _warnedMemory = false;
            if (!await pool.TryStartPoolRunnerAsync(target, maxSessions, cancellationToken))
            {
                break;
            }
            Decide("start", "below_target");
        }

        var after = await inventory.SnapshotAsync(_options.DemandWindow, cancellationToken);
        state.Set(new PoolStatus(true, _options.MinSize, _options.MaxSize, target, after.Available.Count, after.Starting.Count,
            after.Claimed.Count, after.ActiveSessions, after.RecentDemand, _options.DemandWindow.TotalSeconds,
            Math.Round(coldStart.Current.TotalMilliseconds), hostAvailable, _lastDecision, now) { RunnerStarts = breaker.Status });
    }

    /// <summary>Reservations of starts that never finished (a replica died mid-start) and claims whose session is over.</summary>
    private async Task ForgetStaleAsync(PoolSnapshot snapshot, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var staleStartMs = (long)(runnerOptions.Value.StartTimeout + TimeSpan.FromSeconds(15)).TotalMilliseconds;
        foreach (var starting in snapshot.Starting.Where(s => nowMs - s.StartedAtMs > staleStartMs))
        {
            if (await inventory.RemoveAsync(starting.RunnerId, cancellationToken))
            {
                logger.LogWarning("Dropped the reservation of pool runner {RunnerId}: its start never finished", starting.RunnerId);
            }
        }
        foreach (var (runnerId, claim) in snapshot.Claimed.Where(c => nowMs - c.Value.ClaimedAtMs > 60_000))
        {
            if (await sessions.GetAsync(claim.SessionId, cancellationToken) is not { IsActive: true })
            {
                await inventory.ForgetClaimAsync(runnerId, cancellationToken);
            }
        }
    }

    private void Decide(string action, string reason)
    {
        metrics.Decision(action, reason);
        _lastDecision = $"{action}:{reason}";
    }
}
