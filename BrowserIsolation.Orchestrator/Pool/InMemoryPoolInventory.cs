using BrowserIsolation.Orchestrator.Store;

namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>The embedded default: one orchestrator, its pool kept in this process under one lock.</summary>
public sealed class InMemoryPoolInventory(ISessionStore sessions, TimeProvider time) : IPoolInventory
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PoolRunner> _available = [];
    private readonly Dictionary<string, PoolRunner> _starting = [];
    private readonly Dictionary<string, ClaimedRunner> _claimed = [];
    private readonly Queue<long> _demand = new();

    public async Task<bool> TryReserveAsync(PoolRunner starting, int target, int maxSessions, CancellationToken cancellationToken)
    {
        var active = await ActiveAsync(cancellationToken);
        lock (_lock)
        {
            var pool = _available.Count + _starting.Count;
            if (pool >= target || active + pool >= maxSessions)
            {
                return false;
            }
            _starting[starting.RunnerId] = starting;
            return true;
        }
    }

    public Task<bool> PromoteAsync(PoolRunner ready, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_starting.Remove(ready.RunnerId))
            {
                return Task.FromResult(false);
            }
            _available[ready.RunnerId] = ready;
            return Task.FromResult(true);
        }
    }

    public Task AbandonAsync(string runnerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _starting.Remove(runnerId);
        }
        return Task.CompletedTask;
    }

    public Task<PoolRunner?> TryClaimAsync(string sessionId, int width, int height, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var best = _available.Values
                .OrderBy(r => r.Width == width && r.Height == height ? 0 : 1)
                .ThenBy(r => r.ReadyAtMs)
                .FirstOrDefault();
            if (best is null)
            {
                return Task.FromResult<PoolRunner?>(null);
            }
            _available.Remove(best.RunnerId);
            _claimed[best.RunnerId] = new ClaimedRunner(sessionId, Now());
            return Task.FromResult<PoolRunner?>(best);
        }
    }

    public Task<bool> TryClaimStartingAsync(string runnerId, string sessionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_starting.Remove(runnerId))
            {
                return Task.FromResult(false);
            }
            _claimed[runnerId] = new ClaimedRunner(sessionId, Now());
            return Task.FromResult(true);
        }
    }

    public async Task<PoolRunner?> TryTrimAsync(string owner, int target, int maxSessions, bool trimToTarget, CancellationToken cancellationToken)
    {
        var active = await ActiveAsync(cancellationToken);
        lock (_lock)
        {
            var pool = _available.Count + _starting.Count;
            if (!(active + pool > maxSessions || (trimToTarget && pool > target)))
            {
                return null;
            }
            var victim = _available.Values.OrderBy(r => r.Owner == owner ? 0 : 1).ThenBy(r => r.ReadyAtMs).FirstOrDefault();
            if (victim is not null)
            {
                _available.Remove(victim.RunnerId);
            }
            return victim;
        }
    }

    public Task<bool> RemoveAsync(string runnerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_available.Remove(runnerId) | _starting.Remove(runnerId));
        }
    }

    public Task ForgetClaimAsync(string runnerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _claimed.Remove(runnerId);
        }
        return Task.CompletedTask;
    }

    public Task RecordDemandAsync(string sessionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _demand.Enqueue(Now());
        }
        return Task.CompletedTask;
    }

    public async Task<PoolSnapshot> SnapshotAsync(TimeSpan demandWindow, CancellationToken cancellationToken)
    {
        var active = await ActiveAsync(cancellationToken);
        lock (_lock)
        {
            var since = Now() - (long)demandWindow.TotalMilliseconds;
            while (_demand.TryPeek(out var at) && at < since)
            {
                _demand.Dequeue();
            }
            return new PoolSnapshot([.. _available.Values], [.. _starting.Values], new Dictionary<string, ClaimedRunner>(_claimed),
                active, _demand.Count);
        }
    }

    private async Task<int> ActiveAsync(CancellationToken cancellationToken) =>
        (await sessions.ListAsync(cancellationToken)).Count(s => s.IsActive);

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
