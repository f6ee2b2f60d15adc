namespace BrowserIsolation.Orchestrator.Store;

/// <summary>
/// Lua run atomically inside Redis. A session is a hash {v, json}; <c>v</c> grows on every write so an update is a
/// compare-and-set. The active set is what MaxSessions counts, kept in step by the same scripts.
/// </summary>
internal static class RedisSessionScripts
{
    /// <summary>KEYS: session, all, active, events. ARGV: max, id, json, channel, message, eventLine, eventsCap.
    /// Returns 1 added, 0 limit reached, -1 id taken.</summary>
    public const string Admit = """
        if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[1]) then return 0 end
        if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
        redis.call('HSET', KEYS[1], 'v', '1', 'json', ARGV[3])
        redis.call('SADD', KEYS[2], ARGV[2])
        redis.call('SADD', KEYS[3], ARGV[2])
        redis.call('RPUSH', KEYS[4], ARGV[6])
        redis.call('LTRIM', KEYS[4], -tonumber(ARGV[7]), -1)
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        return 1
        """;

    /// <summary>KEYS: session, active, events. ARGV: expectedVersion, json, id, isActive, statusChanged, channel, message,
    /// eventLine, eventsCap. Returns 1 written, 0 version moved on (retry), -1 gone.</summary>
    public const string CompareAndSet = """
        local v = redis.call('HGET', KEYS[1], 'v')
        if not v then return -1 end
        if v ~= ARGV[1] then return 0 end
        redis.call('HSET', KEYS[1], 'v', tostring(tonumber(v) + 1), 'json', ARGV[2])
        if ARGV[4] == '1' then redis.call('SADD', KEYS[2], ARGV[3]) else redis.call('SREM', KEYS[2], ARGV[3]) end
        if ARGV[5] == '1' then
          redis.call('RPUSH', KEYS[3], ARGV[8])
          redis.call('LTRIM', KEYS[3], -tonumber(ARGV[9]), -1)
          redis.call('PUBLISH', ARGV[6], ARGV[7])
        end
        return 1
        """;

    /// <summary>KEYS: session, events, all, active. ARGV: id.</summary>
    public const string Remove = """
        redis.call('DEL', KEYS[1], KEYS[2])
        redis.call('SREM', KEYS[3], ARGV[1])
        redis.call('SREM', KEYS[4], ARGV[1])
        return 1
        """;

    /// <summary>KEYS: session, all, active. ARGV: version, json, id, isActive. Writes a replica's copy back unless Redis has
    /// that version or a newer one. Returns 1 written, 0 kept.</summary>
    public const string Restore = """
        local v = redis.call('HGET', KEYS[1], 'v')
        if v and tonumber(v) >= tonumber(ARGV[1]) then return 0 end
        redis.call('HSET', KEYS[1], 'v', ARGV[1], 'json', ARGV[2])
        redis.call('SADD', KEYS[2], ARGV[3])
        if ARGV[4] == '1' then redis.call('SADD', KEYS[3], ARGV[3]) else redis.call('SREM', KEYS[3], ARGV[3]) end
        return 1
        """;
}
