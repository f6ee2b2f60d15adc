using System.Net.Http.Headers;
using BrowserIsolation.Orchestrator.Pool;
using BrowserIsolation.Orchestrator.Sessions;
using BrowserIsolation.Orchestrator.Store;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>
/// Matches the sessions and pool in the store with the runners that are really alive: at start-up (a restarted
/// orchestrator adopts the runners its sessions still use) and then periodically. A runner nobody owns is ended;
/// a session or pool entry whose runner is gone is failed or dropped. Runners this replica cannot list (another
/// host's) are judged by a /health probe.
/// </summary>
public sealed class RunnerReconciler(
    IRunnerProvider provider,
    ISessionStore store,
    IPoolInventory inventory,
    SessionService sessions,
    RunnerStopper stopper,
    IHttpClientFactory httpClients,
    IOptions<PoolOptions> poolOptions,
    TimeProvider time,
    ILogger<RunnerReconciler> logger) : BackgroundService
{
    private readonly PoolOptions _options = poolOptions.Value;
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private HashSet<string> _suspects = [];
    private bool _firstPassDone;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var first = true;
        var storeDown = false;
        var failingSince = (DateTimeOffset?)null;
        var retry = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var result = await ReconcileAsync(stoppingToken);
                if (first || result.Changed)
                {
                    logger.LogInformation("Reconciled runners: {Adopted} in use, {Orphans} orphans ended, {Failed} sessions failed, " +
                        "{Dropped} dead pool runners dropped", result.InUse, result.Orphans, result.FailedSessions, result.DroppedPool);
                }
                if (failingSince is { } since)
                {
                    logger.LogInformation("Reconciling {Provider} runners works again after {Seconds:0.0} s", provider.Name, (time.GetUtcNow() - since).TotalSeconds);
                    failingSince = null;
                }
                first = false;
                storeDown = false;
            }
            catch (StoreUnavailableException ex)
            {
                if (!storeDown)
                {
                    logger.LogWarning("Cannot reconcile runners while the store is unavailable: {Reason}", ex.Message);
                    storeDown = true;
                }
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                continue;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // e.g. the Docker daemon is not up yet, or restarting: nothing is judged gone on a failed list. Retry soon,
                // backing off to the normal interval; one warning per outage (with the stack at Debug), not one per attempt.
                if (failingSince is null)
                {
                    failingSince = time.GetUtcNow();
                    logger.LogWarning("Could not reconcile {Provider} runners ({Reason}); runners and sessions are left as they are, retrying",
                        provider.Name, ex.Message);
                }
                logger.LogDebug(ex, "Reconciling {Provider} runners failed; retrying in {Delay}", provider.Name, retry);
                await Task.Delay(retry, stoppingToken);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _options.ReconcileInterval.Ticks));
                continue;
            }
            retry = TimeSpan.FromSeconds(1);
            await Task.Delay(_options.ReconcileInterval, stoppingToken);
        }
    }

    public sealed record Result(int InUse, int Orphans, int FailedSessions, int DroppedPool)
    {
        public bool Changed => Orphans + FailedSessions + DroppedPool > 0;
    }

    internal async Task<Result> ReconcileAsync(CancellationToken cancellationToken)
    {
        var alive = await provider.ListAsync(cancellationToken);
        var all = await store.ListAsync(cancellationToken);
        var pool = await inventory.SnapshotAsync(_options.DemandWindow, cancellationToken);
        var active = all.Where(s => s.IsActive).ToList();
        var activeIds = active.Select(s => s.SessionId).ToHashSet();

        var owned = new HashSet<string>(active.Where(s => s.RunnerId is not null).Select(s => s.RunnerId!));
        owned.UnionWith(pool.Available.Select(r => r.RunnerId));
        owned.UnionWith(pool.Starting.Select(r => r.RunnerId));
        owned.UnionWith(pool.Claimed.Where(c => activeIds.Contains(c.Value.SessionId)).Select(c => c.Key));

        var now = time.GetUtcNow();
        var orphans = 0;
        var suspects = new HashSet<string>();
        foreach (var runner in alive)
        {
            var forActiveSession = runner.Labels.TryGetValue("session", out var sessionId) && activeIds.Contains(sessionId);
            // Started before this orchestrator: a leftover for sure. Younger ones get a grace period (they may be
            // another replica's start that is about to be recorded).
            var leftover = runner.StartedAt < _startedAt;
            if (owned.Contains(runner.RunnerId) || forActiveSession || (!leftover && now - runner.StartedAt < _options.OrphanGrace))
            {
                logger.LogDebug("Runner {RunnerId} kept: owned {Owned}, for an active session {ForSession}, age {Age}", runner.RunnerId,
                    owned.Contains(runner.RunnerId), forActiveSession, now - runner.StartedAt);
                continue;
            }
            // Leftovers of a previous run go at start-up; later, an unowned runner goes only if the next pass still finds
            // it unowned, so a store that came back empty has time to be repaired (RedisSessionRepair) first.
            if (!(leftover && !_firstPassDone) && !_suspects.Contains(runner.RunnerId))
            {
                suspects.Add(runner.RunnerId);
                continue;
            }
            logger.LogWarning("Ending leftover {Provider} runner {RunnerId} (started {StartedAt:O}): no session or pool entry owns it",
                provider.Name, runner.RunnerId, runner.StartedAt);
            await stopper.StopAsync(runner.RunnerId, cancellationToken);
            orphans++;
        }

        _suspects = suspects;
        _firstPassDone = true;

        // Every active session's runner is probed, listed or not: a listed process can still be hung or half-dead.
        var aliveIds = alive.Select(r => r.RunnerId).ToHashSet();
        var failed = 0;
        var probes = active
            .Where(s => s.RunnerId is not null && s.RunnerUri is not null)
            .Select(async s => (Session: s, Alive: await IsAliveAsync(s.RunnerUri!, s.RunnerToken, cancellationToken)));
        foreach (var (session, isAlive) in await Task.WhenAll(probes))
        {
            if (!isAlive)
            {
                logger.LogWarning("Session {SessionId}'s runner {RunnerId} is gone", session.SessionId, session.RunnerId);
                await sessions.FailAsync(session.SessionId, "the browser is gone (its runner was not found alive)");
                failed++;
            }
        }

        var dropped = 0;
        var poolProbes = pool.Available
            .Where(r => !aliveIds.Contains(r.RunnerId))
            .Select(async r => (Runner: r, Alive: await IsAliveAsync(r.ControlUri, r.Token, cancellationToken)));
        foreach (var (runner, isAlive) in await Task.WhenAll(poolProbes))
        {
            if (!isAlive && await inventory.RemoveAsync(runner.RunnerId, cancellationToken))
            {
                logger.LogWarning("Dropped pool runner {RunnerId}: it is not alive", runner.RunnerId);
                dropped++;
            }
        }
        return new Result(alive.Count - orphans, orphans, failed, dropped);
    }

    /// <summary>Dead only when the runner refuses or answers not-healthy twice; a slow answer counts as alive.</summary>
    private async Task<bool> IsAliveAsync(string controlUri, string? token, CancellationToken cancellationToken)
    {
        var http = httpClients.CreateClient(nameof(RunnerReconciler));
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(controlUri), "health"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                using var response = await http.SendAsync(request, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return true;
            }
            catch (HttpRequestException)
            {
                // refused: try once more
            }
            await Task.Delay(300, cancellationToken);
        }
        return false;
    }
}
