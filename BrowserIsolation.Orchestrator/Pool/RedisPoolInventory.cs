using System.Text.Json;
using BrowserIsolation.Orchestrator.Store;
using StackExchange.Redis;

namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>The pool inventory in Redis, next to the sessions: every replica claims from and refills the same pool.</summary>
public sealed class RedisPoolInventory(RedisConnection redis, TimeProvider time) : IPoolInventory
{
    private readonly RedisKeys _keys = redis.Keys;

    public async Task<bool> TryReserveAsync(PoolRunner starting, int target, int maxSessions, CancellationToken cancellationToken) =>
        (int)await redis.RunAsync(db => db.ScriptEvaluateAsync(RedisPoolScripts.Reserve,
            [_keys.PoolAvailable, _keys.PoolStarting, _keys.ActiveSessions],
            [starting.RunnerId, Serialize(starting), target, maxSessions]), cancellationToken) == 1;

    public async Task<bool> PromoteAsync(PoolRunner ready, CancellationToken cancellationToken) =>
        (int)await redis.RunAsync(db => db.ScriptEvaluateAsync(RedisPoolScripts.Move,
            [_keys.PoolStarting, _keys.PoolAvailable], [ready.RunnerId, Serialize(ready)]), cancellationToken) == 1;

    public Task AbandonAsync(string runnerId, CancellationToken cancellationToken) =>
        redis.RunAsync(db => db.HashDeleteAsync(_keys.PoolStarting, runnerId), cancellationToken);

    public async Task<PoolRunner?> TryClaimAsync(string sessionId, int width, int height, CancellationToken cancellationToken)
    {
        var result = await redis.RunAsync(db => db.ScriptEvaluateAsync(RedisPoolScripts.Claim,
            [_keys.PoolAvailable, _keys.PoolClaimed], [sessionId, width, height, Now()]), cancellationToken);
        return result.IsNull ? null : Deserialize((string)result!);
    }

    public async Task<bool> TryClaimStartingAsync(string runnerId, string sessionId, CancellationToken cancellationToken) =>
        (int)await redis.RunAsync(db => db.ScriptEvaluateAsync(RedisPoolScripts.Move,
            [_keys.PoolStarting, _keys.PoolClaimed], [runnerId, $"{sessionId}|{Now()}"]), cancellationToken) == 1;

    public async Task<PoolRunner?> TryTrimAsync(string owner, int target, int maxSessions, bool trimToTarget, CancellationToken cancellationToken)
    {
        var result = await redis.RunAsync(db => db.ScriptEvaluateAsync(RedisPoolScripts.Trim,
            [_keys.PoolAvailable, _keys.PoolStarting, _keys.ActiveSessions],
            [owner, target, maxSessions, trimToTarget ? 1 : 0]), cancellationToken);
        return result.IsNull ? null : Deserialize((string)result!);
    }

    public async Task<bool> RemoveAsync(string runnerId, CancellationToken cancellationToken) =>
        (int)await redis.RunAsync(db => db.ScriptEvaluateAsync(RedisPoolScripts.Remove,
            [_keys.PoolAvailable, _keys.PoolStarting], [runnerId]), cancellationToken) > 0;

    public Task ForgetClaimAsync(string runnerId, CancellationToken cancellationToken) =>
        redis.RunAsync(db => db.HashDeleteAsync(_keys.PoolClaimed, runnerId), cancellationToken);

    public Task RecordDemandAsync(string sessionId, CancellationToken cancellationToken) =>
        redis.RunAsync(db => db.SortedSetAddAsync(_keys.PoolDemand, sessionId, Now()), cancellationToken);

    public async Task<PoolSnapshot> SnapshotAsync(TimeSpan demandWindow, CancellationToken cancellationToken)
    {
        var result = await redis.RunAsync(db => db.ScriptEvaluateAsync(RedisPoolScripts.Snapshot,
            [_keys.PoolAvailable, _keys.PoolStarting, _keys.PoolClaimed, _keys.ActiveSessions, _keys.PoolDemand],
            [Now() - (long)demandWindow.TotalMilliseconds]), cancellationToken);
        var parts = (RedisResult[])result!;
        var claimed = new Dictionary<string, ClaimedRunner>();
        foreach (var (id, value) in Pairs(parts[2]))
        {
            var fields = value.Split('|');
            claimed[id] = new ClaimedRunner(fields[0], fields.Length > 1 && long.TryParse(fields[1], out var at) ? at : 0);
        }
        return new PoolSnapshot(
            [.. Pairs(parts[0]).Select(p => Deserialize(p.Value))],
            [.. Pairs(parts[1]).Select(p => Deserialize(p.Value))],
            claimed,
            (int)parts[3],
            (int)parts[4]);
    }

    private static IEnumerable<(string Id, string Value)> Pairs(RedisResult hash)
    {
        var items = (RedisResult[])hash!;
        for (var i = 0; i + 1 < items.Length; i += 2)
        {
            yield return ((string)items[i]!, (string)items[i + 1]!);
        }
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string Serialize(PoolRunner runner) => JsonSerializer.Serialize(runner, JsonSerializerOptions.Web);

    private static PoolRunner Deserialize(string json) =>
        JsonSerializer.Deserialize<PoolRunner>(json, JsonSerializerOptions.Web) ?? throw new JsonException("empty pool entry");
}
