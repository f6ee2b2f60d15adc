using System.Text.Json;
using BrowserIsolation.Orchestrator.Sessions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BrowserIsolation.Orchestrator.Store;

/// <summary>
/// Sessions shared by every replica through Redis. Admission and updates are Lua scripts (atomic); every status
/// change is published on the deployment's channel so each replica raises <see cref="Changed"/>.
/// </summary>
public sealed class RedisSessionStore(RedisConnection redis, RedisSessionRepair repair, ReplicaIdentity replica, IOptions<StoreOptions> options,
    ILogger<RedisSessionStore> logger) : ISessionStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);
    private readonly RedisKeys _keys = redis.Keys;
    private readonly int _eventsCap = Math.Max(1, options.Value.EventsPerSession);

    public bool IsShared => true;

    public event Action<SessionChange>? Changed;

    public async Task<bool> TryAddAsync(Session session, int maxActive, CancellationToken cancellationToken)
    {
        var id = session.SessionId;
        var json = Serialize(session);
        var result = await redis.RunAsync(db => db.ScriptEvaluateAsync(RedisSessionScripts.Admit,
            [_keys.Session(id), _keys.AllSessions, _keys.ActiveSessions, _keys.Events(id)],
            [maxActive, id, json, (string)_keys.Changes!, Message(id, session.Status), EventLine(session), _eventsCap]),
            cancellationToken);
        if ((int)result != 1)
        {
            return false;
        }
        repair.Hold(id, 1, json, session.IsActive);
        Raise(new SessionChange(id, session.Status));
        return true;
    }

    public async Task<Session?> GetAsync(string sessionId, CancellationToken cancellationToken)
    {
        var json = await redis.RunAsync(db => db.HashGetAsync(_keys.Session(sessionId), "json"), cancellationToken);
        return Deserialize(json);
    }

    public async Task<IReadOnlyList<Session>> ListAsync(CancellationToken cancellationToken)
    {
        var sessions = await redis.RunAsync(async db =>
        {
            var ids = await db.SetMembersAsync(_keys.AllSessions);
            var values = await Task.WhenAll(ids.Select(id => db.HashGetAsync(_keys.Session((string)id!), "json")));
            return values;
        }, cancellationToken);
        return [.. sessions.Select(Deserialize).OfType<Session>().OrderBy(s => s.CreatedAt)];
    }

    public async Task<Session?> UpdateAsync(string sessionId, Func<Session, Session?> change, CancellationToken cancellationToken)
    {
        var key = _keys.Session(sessionId);
        for (var attempt = 0; ; attempt++)
        {
            var stored = await redis.RunAsync(db => db.HashGetAsync(key, ["v", "json"]), cancellationToken);
            if (stored[0].IsNull || Deserialize(stored[1]) is not { } current)
            {
                return null;
            }
            var next = change(current);
            if (next is null)
            {
                return current;
            }
            var statusChanged = next.Status != current.Status;
            var json = Serialize(next);
            var result = (int)await redis.RunAsync(db => db.ScriptEvaluateAsync(RedisSessionScripts.CompareAndSet,
                [key, _keys.ActiveSessions, _keys.Events(sessionId)],
                [stored[0], json, sessionId, next.IsActive ? 1 : 0, statusChanged ? 1 : 0, (string)_keys.Changes!,
                    Message(sessionId, next.Status), EventLine(next), _eventsCap]), cancellationToken);
            if (result == 1)
            {
                repair.Hold(sessionId, (long)stored[0] + 1, json, next.IsActive);
                if (statusChanged)
                {
                    Raise(new SessionChange(sessionId, next.Status));
                }
                return next;
            }
            if (result == -1)
            {
                return null;
            }
            if (attempt > 50)
            {
                throw new StoreUnavailableException($"session {sessionId} kept changing under {attempt} updates");
            }
            // Another replica wrote in between: re-read and re-apply.
        }
    }

    public Task RemoveAsync(string sessionId, CancellationToken cancellationToken)
    {
        repair.Drop(sessionId);
        return redis.RunAsync(db => db.ScriptEvaluateAsync(RedisSessionScripts.Remove,
            [_keys.Session(sessionId), _keys.Events(sessionId), _keys.AllSessions, _keys.ActiveSessions], [sessionId]), cancellationToken);
    }

    /// <summary>The session's recorded status changes, oldest first ("unixMs status [error]").</summary>
    public async Task<IReadOnlyList<string>> EventsAsync(string sessionId, CancellationToken cancellationToken)
    {
        var values = await redis.RunAsync(db => db.ListRangeAsync(_keys.Events(sessionId)), cancellationToken);
        return [.. values.Select(v => (string)v!)];
    }

    /// <summary>A message from the changes channel: raised here unless this replica made the change (raised already).</summary>
    internal void OnPublished(string message)
    {
        var parts = message.Split('|');
        if (parts.Length != 3 || parts[0] == replica.Id || !Enum.TryParse<SessionStatus>(parts[2], out var status))
        {
            return;
        }
        if (status is not (SessionStatus.Pending or SessionStatus.Ready))
        {
            repair.Drop(parts[1]); // the replica that ended it holds the newest copy
        }
        Raise(new SessionChange(parts[1], status));
    }

    private void Raise(SessionChange change)
    {
        try
        {
            Changed?.Invoke(change);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "A handler of session {SessionId}'s change failed", change.SessionId);
        }
    }

    private string Message(string sessionId, SessionStatus status) => $"{replica.Id}|{sessionId}|{status}";

    private static string EventLine(Session s) =>
        $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} {s.Status.ToString().ToLowerInvariant()}{(s.Error is { } e ? " " + e : "")}";

    private static string Serialize(Session session) => JsonSerializer.Serialize(session, Json);

    private static Session? Deserialize(RedisValue json) => json.IsNullOrEmpty ? null : JsonSerializer.Deserialize<Session>((string)json!, Json);
}
