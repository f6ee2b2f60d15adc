namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>
/// How many warm runners the deployment should hold: sessions arriving per second times the seconds a runner takes
/// to start (the runners needed to cover the refill time), plus headroom while there is demand, within [min, max].
/// </summary>
public static class PoolTarget
{
    public static int Compute(int recentDemand, TimeSpan window, TimeSpan coldStart, PoolOptions options)
    {
        var max = Math.Max(options.MinSize, options.MaxSize);
        if (window <= TimeSpan.Zero || recentDemand <= 0)
        {
            return Math.Clamp(0, options.MinSize, max);
        }
        var perSecond = recentDemand / window.TotalSeconds;
        var expected = perSecond * coldStart.TotalSeconds;
        var wanted = (int)Math.Ceiling(expected + Math.Max(0, options.Headroom));
        return Math.Clamp(wanted, options.MinSize, max);
    }
}
