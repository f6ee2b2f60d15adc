using System.Collections.Concurrent;
using BrowserIsolation.Orchestrator.Sessions;
using BrowserIsolation.Orchestrator.Store;

namespace BrowserIsolation.Orchestrator.Relay;

/// <summary>
/// The client WebSockets this replica relays, per session. When a session ends, on this replica or any other
/// (the store raises the change everywhere), its sockets are closed.
/// </summary>
public sealed class SessionConnections
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, CancellationTokenSource>> _bySession = new();

    public SessionConnections(ISessionStore store)
    {
        store.Changed += change =>
        {
            if (change.Status is SessionStatus.Terminated or SessionStatus.Error)
            {
                CloseAll(change.SessionId);
            }
        };
    }

    public int Count(string sessionId) => _bySession.TryGetValue(sessionId, out var set) ? set.Count : 0;

    public IReadOnlyCollection<string> SessionsWithClients => [.. _bySession.Where(p => !p.Value.IsEmpty).Select(p => p.Key)];

    /// <summary>Registers a relay; its token is cancelled when the session ends. Dispose to unregister.</summary>
    public Registration Register(string sessionId)
    {
        var set = _bySession.GetOrAdd(sessionId, _ => new());
        var id = Guid.NewGuid();
        var cts = new CancellationTokenSource();
        set[id] = cts;
        return new Registration(cts.Token, () =>
        {
            if (set.TryRemove(id, out var removed))
            {
                removed.Dispose();
            }
            if (set.IsEmpty)
            {
                _bySession.TryRemove(new KeyValuePair<string, ConcurrentDictionary<Guid, CancellationTokenSource>>(sessionId, set));
            }
        });
    }

    public void CloseAll(string sessionId)
    {
        if (_bySession.TryGetValue(sessionId, out var set))
        {
            foreach (var cts in set.Values)
            {
                try
                {
                    cts.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // unregistered meanwhile
                }
            }
        }
    }

    public sealed class Registration(CancellationToken sessionEnded, Action unregister) : IDisposable
    {
        public CancellationToken SessionEnded { get; } = sessionEnded;

        public void Dispose() => unregister();
    }
}
