using System.Collections.Concurrent;
using System.Diagnostics;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Sessions;
using BrowserIsolation.Orchestrator.Store;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>
/// Sessions get a warm runner (Chromium up at about:blank, screencast running) when the pool has one, else one of
/// this replica's pool runners that is still starting, else a cold start: a request that fits the limits never fails
/// for want of a pooled runner. A runner serves one session and is then destroyed; the autoscaler refills the pool.
/// </summary>
public sealed class WarmPool : IRunnerSource
{
    private readonly IRunnerProvider _provider;
    private readonly RunnerWarmup _warmup;
    private readonly IPoolInventory _inventory;
    private readonly RunnerStopper _stopper;
    private readonly ColdStartEstimate _coldStart;
    private readonly PoolMetrics _metrics;
    private readonly ReplicaIdentity _replica;
    private readonly SessionLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger<WarmPool> _logger;
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<string, LocalStart> _starting = new();
    private readonly SemaphoreSlim _wake = new(0, 1);

    public WarmPool(IRunnerProvider provider, RunnerWarmup warmup, IPoolInventory inventory, RunnerStopper stopper, ColdStartEstimate coldStart,
        PoolMetrics metrics, ReplicaIdentity replica, IOptions<SessionLimits> limits, TimeProvider time,
        IHostApplicationLifetime lifetime, ILogger<WarmPool> logger)
    {
        _provider = provider;
        _warmup = warmup;
        _inventory = inventory;
        _stopper = stopper;
        _coldStart = coldStart;
        _metrics = metrics;
        _replica = replica;
        _limits = limits.Value;
        _time = time;
        _logger = logger;
        _stopping = lifetime.ApplicationStopping;
        provider.RunnerExited += OnRunnerExited;
    }

    /// <summary>Pool runners this replica is starting now.</summary>
    public int LocalStarting => _starting.Count;

    public async Task<AcquiredRunner> AcquireAsync(string sessionId, int width, int height, CancellationToken cancellationToken)
    {
        try
        {
            await _inventory.RecordDemandAsync(sessionId, cancellationToken);
            if (await _inventory.TryClaimAsync(sessionId, width, height, cancellationToken) is { } warm)
            {
                _metrics.Claimed();
                Wake();
                return new AcquiredRunner(warm.ToInstance(sessionId), PoolHit: true);
            }
        }
        catch (StoreUnavailableException ex)
        {
            _logger.LogWarning("Pool inventory unavailable ({Reason}); starting session {SessionId} cold", ex.Message, sessionId);
        }
        _metrics.Missed();
        Wake();
        if (await TryTakeStartingAsync(sessionId, cancellationToken) is { } early)
        {
            return new AcquiredRunner(early, PoolHit: false);
        }
        return new AcquiredRunner(await StartColdAsync(sessionId, width, height, cancellationToken), PoolHit: false);
    }

    public async Task ReleaseAsync(string runnerId, CancellationToken cancellationToken)
    {
        try
        {
            await _inventory.ForgetClaimAsync(runnerId, cancellationToken);
        }
        catch (StoreUnavailableException)
        {
            // the autoscaler forgets stale claims later
        }
        await _stopper.StopAsync(runnerId, cancellationToken);
        Wake();
    }

    /// <summary>
    /// Reserves a pool slot (atomically against the target and MaxSessions) and starts a runner for it in the
    /// background. False when there is no room.
    /// </summary>
    public async Task<bool> TryStartPoolRunnerAsync(int target, int maxSessions, CancellationToken cancellationToken)
    {
        var reservation = new PoolRunner(NewRunnerId(), "", "", _provider.Name, _replica.Id, _limits.DefaultWidth, _limits.DefaultHeight,
            Now(), 0);
        if (!await _inventory.TryReserveAsync(reservation, target, maxSessions, cancellationToken))
        {
            return false;
        }
        var start = new LocalStart();
        _starting[reservation.RunnerId] = start;
        _ = Task.Run(() => StartPoolRunnerAsync(reservation, start), CancellationToken.None);
        return true;
    }

    /// <summary>Completes when a claim, release or pool change happened, or after <paramref name="timeout"/>.</summary>
    public async Task WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await _wake.WaitAsync(timeout, cancellationToken);

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // already signalled
        }
    }

    private async Task StartPoolRunnerAsync(PoolRunner reservation, LocalStart start)
    {
        var labels = new Dictionary<string, string> { ["pool"] = "available", ["owner"] = _replica.Id };
        var clock = Stopwatch.StartNew();
        RunnerInstance runner;
        try
        {
            runner = await _provider.StartAsync(new RunnerStartRequest(reservation.RunnerId, reservation.Width, reservation.Height, labels), _stopping);
        }
        catch (Exception ex)
        {
            _starting.TryRemove(reservation.RunnerId, out _);
            start.Finish(null, ex);
            // The start breaker logs the failure streak; one line per attempt would flood the log when the backend is down.
            _logger.LogDebug("Pool runner {RunnerId} failed to start: {Reason}", reservation.RunnerId, ex.Message);
            await TryAsync(() => _inventory.AbandonAsync(reservation.RunnerId, CancellationToken.None));
            Wake();
            return;
        }
        _coldStart.Record(clock.Elapsed);
        _metrics.RunnerStarted(clock.Elapsed, forPool: true);
        if (!start.IsHandedOff)
        {
            await _warmup.WarmAsync(runner, _stopping);
        }
        if (start.Finish(runner, null))
        {
            _starting.TryRemove(reservation.RunnerId, out _);
            return; // handed to a session that missed the pool while it started
        }
        _starting.TryRemove(reservation.RunnerId, out _);
        var ready = reservation with { ControlUri = runner.ControlUri.ToString(), Token = runner.Token, ReadyAtMs = Now() };
        var promoted = false;
        await TryAsync(async () => promoted = await _inventory.PromoteAsync(ready, CancellationToken.None));
        if (!promoted)
        {
            _logger.LogInformation("Pool runner {RunnerId} lost its reservation; stopping it", runner.RunnerId);
            await TryAsync(() => _provider.StopAsync(runner.RunnerId, CancellationToken.None));
        }
        else
        {
            _logger.LogDebug("Pool runner {RunnerId} ready in {Ms:0} ms", runner.RunnerId, clock.Elapsed.TotalMilliseconds);
        }
        Wake();
    }

    /// <summary>A miss: one of our pool runners that is already starting will be ready sooner than a new one.</summary>
    private async Task<RunnerInstance?> TryTakeStartingAsync(string sessionId, CancellationToken cancellationToken)
    {
        foreach (var (runnerId, start) in _starting.OrderBy(p => p.Value.Since))
        {
            if (!start.TryHandOff())
            {
                continue;
            }
            _starting.TryRemove(runnerId, out _);
            await TryAsync(() => _inventory.TryClaimStartingAsync(runnerId, sessionId, CancellationToken.None));
            try
            {
                return await start.HandedOff.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The session gave up: whatever starts later is nobody's.
                _ = start.HandedOff.ContinueWith(t => _provider.StopAsync(t.Result.RunnerId, CancellationToken.None),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                throw;
            }
            catch (Exception ex)
            {
                _logger.LogWarning("Pool runner {RunnerId} failed while session {SessionId} waited for it ({Reason}); starting cold",
                    runnerId, sessionId, ex.Message);
                return null;
            }
        }
        return null;
    }

    private async Task<RunnerInstance> StartColdAsync(string sessionId, int width, int height, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, string> { ["session"] = sessionId, ["pool"] = "cold" };
        var clock = Stopwatch.StartNew();
        var runner = await _provider.StartAsync(new RunnerStartRequest(NewRunnerId(), width, height, labels), cancellationToken);
        _coldStart.Record(clock.Elapsed);
        _metrics.RunnerStarted(clock.Elapsed, forPool: false);
        return runner;
    }

    private void OnRunnerExited(RunnerExit exit) => _ = Task.Run(async () =>
    {
        var removed = false;
        await TryAsync(async () => removed = await _inventory.RemoveAsync(exit.RunnerId, CancellationToken.None));
        if (removed)
        {
            _metrics.Decision("remove", "runner_died");
            _logger.LogWarning("Pool runner {RunnerId} died while waiting: {Reason}", exit.RunnerId, exit.Reason);
            Wake();
        }
    });

    private async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Pool bookkeeping failed");
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string NewRunnerId() => $"r-{Guid.NewGuid():N}"[..14];

    /// <summary>A pool runner this replica is starting, which a session that missed the pool may take over.</summary>
    private sealed class LocalStart
    {
        private readonly Lock _lock = new();
        private bool _finished;
        private bool _handedOff;

        public long Since { get; } = Environment.TickCount64;

        public TaskCompletionSource<RunnerInstance> Handoff { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<RunnerInstance> HandedOff => Handoff.Task;

        public bool IsHandedOff
        {
            get
            {
                lock (_lock)
                {
                    return _handedOff;
                }
            }
        }

        public bool TryHandOff()
        {
            lock (_lock)
            {
                if (_finished || _handedOff)
                {
                    return false;
                }
                _handedOff = true;
                return true;
            }
        }

        /// <summary>The start ended; true if a session took it over (it gets the runner or the error).</summary>
        public bool Finish(RunnerInstance? runner, Exception? error)
        {
            lock (_lock)
            {
                _finished = true;
                if (!_handedOff)
                {
                    return false;
                }
            }
            if (runner is not null)
            {
                Handoff.TrySetResult(runner);
            }
            else
            {
                Handoff.TrySetException(error ?? new RunnerStartException("pool runner failed to start"));
            }
            return true;
        }
    }
}
