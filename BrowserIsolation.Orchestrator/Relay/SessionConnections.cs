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
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, Entry>> _bySession = new();

    private sealed record Entry(string ParticipantId, CancellationTokenSource Cancel);

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
    public Registration Register(string sessionId, string participantId = "")
    {
        var set = _bySession.GetOrAdd(sessionId, _ => new());
        var id = Guid.NewGuid();
        var cts = new CancellationTokenSource();
        set[id] = new Entry(participantId, cts);
        return new Registration(cts.Token, () =>
        {
            if (set.TryRemove(id, out var removed))
            {
                removed.Cancel.Dispose();
            }
            if (set.IsEmpty)
            {
                _bySession.TryRemove(new KeyValuePair<string, ConcurrentDictionary<Guid, Entry>>(sessionId, set));
            }
        });
    }

    public void CloseAll(string sessionId) => Close(sessionId, _ => true);

    /// <summary>Ends one participant's relays (removed from the session, or its role changed).</summary>
    public void CloseParticipant(string sessionId, string participantId) => Close(sessionId, p => p == participantId);

    private void Close(string sessionId, Func<string, bool> which)
    {
        if (_bySession.TryGetValue(sessionId, out var set))
        {
            foreach (var entry in set.Values.Where(e => which(e.ParticipantId)))
            {
                try
                {
                    entry.Cancel.Cancel();
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
