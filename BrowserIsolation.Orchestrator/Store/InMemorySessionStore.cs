using System.Collections.Concurrent;
using BrowserIsolation.Orchestrator.Sessions;

namespace BrowserIsolation.Orchestrator.Store;

/// <summary>The embedded default: one orchestrator, sessions kept in this process.</summary>
public sealed class InMemorySessionStore : ISessionStore
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new();
    private readonly Lock _admission = new();

    public bool IsShared => false;

    public event Action<SessionChange>? Changed;

    public Task<bool> TryAddAsync(Session session, int maxActive, CancellationToken cancellationToken)
    {
        lock (_admission)
        {
            if (_sessions.Values.Count(s => s.IsActive) >= maxActive || !_sessions.TryAdd(session.SessionId, session))
            {
                return Task.FromResult(false);
            }
        }
        Changed?.Invoke(new SessionChange(session.SessionId, session.Status));
        return Task.FromResult(true);
    }

    public Task<Session?> GetAsync(string sessionId, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.GetValueOrDefault(sessionId));

    public Task<IReadOnlyList<Session>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Session>>([.. _sessions.Values.OrderBy(s => s.CreatedAt)]);

    public Task<Session?> UpdateAsync(string sessionId, Func<Session, Session?> change, CancellationToken cancellationToken)
    {
        while (_sessions.TryGetValue(sessionId, out var current))
        {
            var next = change(current);
            if (next is null)
            {
                return Task.FromResult<Session?>(current);
            }
            bool updated;
            lock (_admission)
            {
                updated = _sessions.TryUpdate(sessionId, next, current);
            }
            if (updated)
            {
                if (next.Status != current.Status)
                {
                    Changed?.Invoke(new SessionChange(sessionId, next.Status));
                }
                return Task.FromResult<Session?>(next);
            }
        }
        return Task.FromResult<Session?>(null);
    }

    public Task RemoveAsync(string sessionId, CancellationToken cancellationToken)
    {
        _sessions.TryRemove(sessionId, out _);
        return Task.CompletedTask;
    }
}
