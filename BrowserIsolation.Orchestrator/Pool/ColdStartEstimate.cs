namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>How long a runner takes to start on this host: a moving average of the starts this replica made.</summary>
public sealed class ColdStartEstimate(Microsoft.Extensions.Options.IOptions<PoolOptions> options)
{
    private const double Weight = 0.3;
    private readonly Lock _lock = new();
    private double _ms = options.Value.InitialColdStart.TotalMilliseconds;

    public TimeSpan Current
    {
        get
        {
            lock (_lock)
            {
                return TimeSpan.FromMilliseconds(_ms);
            }
        }
    }

    public void Record(TimeSpan elapsed)
    {
        lock (_lock)
        {
            _ms = _ms * (1 - Weight) + elapsed.TotalMilliseconds * Weight;
        }
    }
}
