namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>The autoscaler's latest view of the pool, for the gauges and GET /api/pool.</summary>
public sealed class PoolState(Microsoft.Extensions.Options.IOptions<PoolOptions> options)
{
    private PoolStatus _current = PoolStatus.Empty with
    {
        Enabled = options.Value.Enabled,
        MinSize = options.Value.MinSize,
        MaxSize = options.Value.MaxSize,
    };

    public PoolStatus Current => Volatile.Read(ref _current);

    public void Set(PoolStatus status) => Volatile.Write(ref _current, status);
}

public sealed record PoolStatus(
    bool Enabled,
    int MinSize,
    int MaxSize,
    int Target,
    int Available,
    int Starting,
    int Claimed,
    int ActiveSessions,
    int RecentDemand,
    double DemandWindowSeconds,
    double ColdStartMs,
    long? HostAvailableMiB,
    string? LastDecision,
    DateTimeOffset? UpdatedAt)
{
    /// <summary>The runner start breaker (closed, open, half_open) and its last failure.</summary>
    public Runners.RunnerStartStatus? RunnerStarts { get; init; }

    public static readonly PoolStatus Empty = new(false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null);
}
