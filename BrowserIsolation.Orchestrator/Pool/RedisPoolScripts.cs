namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>
/// The pool inventory's Lua. Hashes runnerId → PoolRunner JSON for available and starting runners, runnerId →
/// "sessionId|unixMs" for claimed ones. Each script is one atomic step, so two replicas never take the same runner
/// and never reserve more slots than the target and MaxSessions allow.
/// </summary>
internal static class RedisPoolScripts
{
    /// <summary>KEYS: available, starting, active. ARGV: id, json, target, maxSessions. Returns 1 reserved, 0 no room.</summary>
    public const string Reserve = """
        local pool = redis.call('HLEN', KEYS[1]) + redis.call('HLEN', KEYS[2])
        if pool >= tonumber(ARGV[3]) then return 0 end
        if redis.call('SCARD', KEYS[3]) + pool >= tonumber(ARGV[4]) then return 0 end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        return 1
        """;

    /// <summary>KEYS: from, to. ARGV: id, value. Moves the entry if it is still in <c>from</c>; returns 1 moved, 0 gone.</summary>
    public const string Move = """
        if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        return 1
        """;

    /// <summary>KEYS: available, claimed. ARGV: sessionId, width, height, nowMs. Returns the claimed runner's JSON or nil.</summary>
    public const string Claim = """
        local entries = redis.call('HGETALL', KEYS[1])
        local bestId, bestJson, bestRank, bestReady
        local w, h = tonumber(ARGV[2]), tonumber(ARGV[3])
        for i = 1, #entries, 2 do
          local r = cjson.decode(entries[i + 1])
          local rank = (r.width == w and r.height == h) and 0 or 1
          if bestId == nil or rank < bestRank or (rank == bestRank and r.readyAtMs < bestReady) then
            bestId, bestJson, bestRank, bestReady = entries[i], entries[i + 1], rank, r.readyAtMs
          end
        end
        if bestId == nil then return false end
        redis.call('HDEL', KEYS[1], bestId)
        redis.call('HSET', KEYS[2], bestId, ARGV[1] .. '|' .. ARGV[4])
        return bestJson
        """;

    /// <summary>KEYS: available, starting, active. ARGV: owner, target, maxSessions, trimToTarget(1/0).
    /// Removes and returns one available runner (the owner's first, oldest first) when the pool is over its limits.</summary>
    public const string Trim = """
        local pool = redis.call('HLEN', KEYS[1]) + redis.call('HLEN', KEYS[2])
        local overSlots = redis.call('SCARD', KEYS[3]) + pool > tonumber(ARGV[3])
        local overTarget = ARGV[4] == '1' and pool > tonumber(ARGV[2])
        if not overSlots and not overTarget then return false end
        local entries = redis.call('HGETALL', KEYS[1])
        local bestId, bestJson, bestRank, bestReady
        for i = 1, #entries, 2 do
          local r = cjson.decode(entries[i + 1])
          local rank = (r.owner == ARGV[1]) and 0 or 1
          if bestId == nil or rank < bestRank or (rank == bestRank and r.readyAtMs < bestReady) then
            bestId, bestJson, bestRank, bestReady = entries[i], entries[i + 1], rank, r.readyAtMs
          end
        end
        if bestId == nil then return false end
        redis.call('HDEL', KEYS[1], bestId)
        return bestJson
        """;

    /// <summary>KEYS: available, starting. ARGV: id. Returns how many entries were removed.</summary>
    public const string Remove = """
        return redis.call('HDEL', KEYS[1], ARGV[1]) + redis.call('HDEL', KEYS[2], ARGV[1])
        """;

    /// <summary>KEYS: available, starting, claimed, active, demand. ARGV: demand cut-off (unix ms).</summary>
    public const string Snapshot = """
        redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', '(' .. ARGV[1])
        return { redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3]),
                 redis.call('SCARD', KEYS[4]), redis.call('ZCARD', KEYS[5]) }
        """;
}
