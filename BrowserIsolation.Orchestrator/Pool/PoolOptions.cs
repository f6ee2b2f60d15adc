namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>
/// Configuration section <c>Pool</c>: warm runners waiting for sessions. Sizes count the whole deployment (replicas
/// sharing a Redis store share one pool). Each warm runner costs about 380 MiB (Chromium on about:blank, PSS) and
/// almost no CPU, so the embedded default keeps one.
/// </summary>
public sealed class PoolOptions
{
    public const string Section = "Pool";

    public bool Enabled { get; set; } = true;

    /// <summary>Warm runners kept even without demand.</summary>
    public int MinSize { get; set; } = 1;

    /// <summary>Most warm runners, however high the demand.</summary>
    public int MaxSize { get; set; } = 4;

    /// <summary>Demand (session starts) is averaged over this window.</summary>
    public TimeSpan DemandWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Runners added on top of demand rate x cold-start time (only while there is demand).</summary>
    public double Headroom { get; set; } = 0.5;

    /// <summary>Surplus runners are stopped once the pool has been above its target this long.</summary>
    public TimeSpan CoolDown { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Cold-start time assumed until this replica has measured one.</summary>
    public TimeSpan InitialColdStart { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the autoscaler looks (it also wakes on every claim and release).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Pool runners this replica starts at once (Chromium start-up is CPU-heavy).</summary>
    public int MaxConcurrentStarts { get; set; } = 2;

    /// <summary>Memory one runner is assumed to need (measured: ~380 MiB PSS).</summary>
    public int RunnerMemoryMiB { get; set; } = 400;

    /// <summary>Memory left free for everything else: no pool runner starts if it would bring the host below this.</summary>
    public int MemoryReserveMiB { get; set; } = 1024;

    /// <summary>How often runners and sessions are reconciled (also once at start-up).</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A runner younger than this is never taken for an orphan (it may be about to be recorded).</summary>
    public TimeSpan OrphanGrace { get; set; } = TimeSpan.FromSeconds(30);
}
