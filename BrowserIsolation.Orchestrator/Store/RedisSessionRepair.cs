using System.Collections.Concurrent;
using StackExchange.Redis;

namespace BrowserIsolation.Orchestrator.Store;

/// <summary>
/// The latest copy of every session this replica wrote, so that a Redis that comes back empty (restarted without
/// persistence, failed over to an empty replica) gets them back: on every reconnect each replica writes its copies
/// where Redis has none or an older version, and the newest write wins. Without it the next reconciliation would take
/// every live session's runner for an orphan.
/// </summary>
public sealed class RedisSessionRepair(RedisConnection redis, ILogger<RedisSessionRepair> logger)
{
    private static readonly TimeSpan KeepEnded = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, Copy> _copies = new();
    private readonly RedisKeys _keys = redis.Keys;

    private sealed record Copy(long Version, string Json, bool IsActive, long WrittenAtMs);

    public int Count => _copies.Count;

    /// <summary>This replica wrote version <paramref name="version"/> of the session.</summary>
    public void Hold(string sessionId, long version, string json, bool isActive)
    {
        _copies.AddOrUpdate(sessionId, new Copy(version, json, isActive, Environment.TickCount64),
            (_, old) => old.Version > version ? old : new Copy(version, json, isActive, Environment.TickCount64));
        if (!isActive)
        {
            Prune();
        }
    }

    /// <summary>Another replica ended it, or it was removed: its copy is theirs, or nobody's.</summary>
    public void Drop(string sessionId) => _copies.TryRemove(sessionId, out _);

    /// <summary>Writes back every copy Redis lacks or has an older version of; returns how many were written.</summary>
    public async Task<int> RepairAsync(CancellationToken cancellationToken)
    {
        Prune();
        var written = 0;
        foreach (var (id, copy) in _copies)
        {
            var result = await redis.RunAsync(db => db.ScriptEvaluateAsync(RedisSessionScripts.Restore,
                [_keys.Session(id), _keys.AllSessions, _keys.ActiveSessions],
                [copy.Version, copy.Json, id, copy.IsActive ? 1 : 0]), cancellationToken);
            written += (int)result;
        }
        if (written > 0)
        {
            logger.LogWarning("Redis had lost {Written} of this replica's {Held} sessions; written back", written, _copies.Count);
        }
        return written;
    }

    private void Prune()
    {
        var before = Environment.TickCount64 - (long)KeepEnded.TotalMilliseconds;
        foreach (var (id, copy) in _copies)
        {
            if (!copy.IsActive && copy.WrittenAtMs < before)
            {
                _copies.TryRemove(id, out _);
            }
        }
    }
}
