using StackExchange.Redis;

namespace BrowserIsolation.Orchestrator.Store;

/// <summary>Every key and channel of one deployment, under <c>bi:{deployment}:</c>.</summary>
public sealed class RedisKeys(string deployment)
{
    private readonly string _prefix = $"bi:{deployment}:";

    /// <summary>Hash per session: <c>v</c> (version for compare-and-set) and <c>json</c> (the Session).</summary>
    public RedisKey Session(string id) => _prefix + "session:" + id;

    /// <summary>Capped list of a session's status changes ("unixMs status [error]").</summary>
    public RedisKey Events(string id) => _prefix + "events:" + id;

    /// <summary>Set of every stored session id.</summary>
    public RedisKey AllSessions => _prefix + "sessions";

    /// <summary>Set of pending or ready session ids: its size is what MaxSessions limits.</summary>
    public RedisKey ActiveSessions => _prefix + "sessions:active";

    /// <summary>Hash runnerId → PoolRunner JSON: warm runners nobody has claimed.</summary>
    public RedisKey PoolAvailable => _prefix + "pool:available";

    /// <summary>Hash runnerId → PoolRunner JSON: pool runners being started (a reserved slot).</summary>
    public RedisKey PoolStarting => _prefix + "pool:starting";

    /// <summary>Hash runnerId → "sessionId|unixMs": pool runners handed to a session that may not record it yet.</summary>
    public RedisKey PoolClaimed => _prefix + "pool:claimed";

    /// <summary>Sorted set of session ids scored by the unix ms they asked for a runner: the autoscaler's demand.</summary>
    public RedisKey PoolDemand => _prefix + "pool:demand";

    /// <summary>Channel of session status changes: "replicaId|sessionId|status".</summary>
    public RedisChannel Changes => RedisChannel.Literal(_prefix + "changes");

    /// <summary>Channel of runner stop requests: "replicaId|runnerId" (the replica that can reach the runner stops it).</summary>
    public RedisChannel RunnerStops => RedisChannel.Literal(_prefix + "runner-stops");
}
