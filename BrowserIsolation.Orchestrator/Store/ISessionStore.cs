using BrowserIsolation.Orchestrator.Sessions;

namespace BrowserIsolation.Orchestrator.Store;

/// <summary>
/// Where sessions live: in memory by default, Redis when <c>ConnectionStrings:sessions</c> is set, so that every
/// replica sees the same sessions and runner addresses.
/// </summary>
public interface ISessionStore
{
    /// <summary>Adds the session unless <paramref name="maxActive"/> active sessions exist already (atomic).</summary>
    Task<bool> TryAddAsync(Session session, int maxActive, CancellationToken cancellationToken);

    Task<Session?> GetAsync(string sessionId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Session>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Atomically applies <paramref name="change"/> (return null to leave it unchanged); returns the stored result.</summary>
    Task<Session?> UpdateAsync(string sessionId, Func<Session, Session?> change, CancellationToken cancellationToken);

    /// <summary>Forgets an ended session.</summary>
    Task RemoveAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>True when other replicas (or this one restarted) see the same sessions and can adopt their runners.</summary>
    bool IsShared { get; }

    /// <summary>Raised for every change made by any replica.</summary>
    event Action<SessionChange>? Changed;
}
