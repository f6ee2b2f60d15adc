namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>
/// Which warm runners exist, shared by every replica (in memory for the embedded default, Redis otherwise). Every
/// method is atomic: a runner is handed to one session only, and pool slots are reserved before a runner starts.
/// </summary>
public interface IPoolInventory
{
    /// <summary>Reserves a slot for a pool runner about to start, unless the pool has <paramref name="target"/> runners
    /// (available + starting) or active sessions plus pool runners would reach <paramref name="maxSessions"/>.</summary>
    Task<bool> TryReserveAsync(PoolRunner starting, int target, int maxSessions, CancellationToken cancellationToken);

    /// <summary>Starting → available. False when the reservation is gone (purged as stale): stop the runner.</summary>
    Task<bool> PromoteAsync(PoolRunner ready, CancellationToken cancellationToken);

    /// <summary>Drops a reservation whose runner failed to start.</summary>
    Task AbandonAsync(string runnerId, CancellationToken cancellationToken);

    /// <summary>Takes one available runner for the session (same size first, then the oldest): available → claimed.</summary>
    Task<PoolRunner?> TryClaimAsync(string sessionId, int width, int height, CancellationToken cancellationToken);

    /// <summary>Takes a runner that is still starting for the session: starting → claimed.</summary>
    Task<bool> TryClaimStartingAsync(string runnerId, string sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// Removes one available runner if the pool is above <paramref name="target"/> (only when
    /// <paramref name="trimToTarget"/>) or pool plus active sessions exceed <paramref name="maxSessions"/>. Prefers
    /// the owner's runners, oldest first. The caller stops the runner returned.
    /// </summary>
    Task<PoolRunner?> TryTrimAsync(string owner, int target, int maxSessions, bool trimToTarget, CancellationToken cancellationToken);

    /// <summary>Removes a runner from available/starting (it died or was found dead). True if it was there.</summary>
    Task<bool> RemoveAsync(string runnerId, CancellationToken cancellationToken);

    /// <summary>Forgets that a runner was claimed (its session recorded it, or ended).</summary>
    Task ForgetClaimAsync(string runnerId, CancellationToken cancellationToken);

    /// <summary>Records that a session asked for a runner (the autoscaler's demand signal).</summary>
    Task RecordDemandAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Reads the whole pool and the demand within <paramref name="demandWindow"/>.</summary>
    Task<PoolSnapshot> SnapshotAsync(TimeSpan demandWindow, CancellationToken cancellationToken);
}
