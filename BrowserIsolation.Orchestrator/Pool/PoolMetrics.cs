using System.Diagnostics.Metrics;
using BrowserIsolation.ServiceDefaults.Telemetry;

namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>The pool's instruments on the BrowserIsolation meter (start-up time tagged hit/miss is SessionMetrics').</summary>
public sealed class PoolMetrics
{
    private readonly Counter<long> _claims;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _coldStart;

    public PoolMetrics(IMeterFactory meters, PoolState state)
    {
        var meter = meters.Create(OpenTelemetrySetup.SourceName);
        _claims = meter.CreateCounter<long>("browserisolation.pool.claims", "{runner}", "Sessions served a warm runner from the pool");
        _misses = meter.CreateCounter<long>("browserisolation.pool.misses", "{session}", "Sessions that found the pool empty and started cold");
        _decisions = meter.CreateCounter<long>("browserisolation.pool.scale_decisions", "{decision}",
            "Autoscaler actions, tagged action=start|stop|blocked and reason");
        _coldStart = meter.CreateHistogram<double>("browserisolation.runner.start", "ms", "Time to start a runner (Chromium ready)");
        meter.CreateObservableGauge("browserisolation.pool.available", () => state.Current.Available, "{runner}", "Warm runners ready to claim");
        meter.CreateObservableGauge("browserisolation.pool.starting", () => state.Current.Starting, "{runner}", "Pool runners starting");
        meter.CreateObservableGauge("browserisolation.pool.target", () => state.Current.Target, "{runner}", "Pool size the autoscaler aims for");
    }

    public void Claimed() => _claims.Add(1);

    public void Missed() => _misses.Add(1);

    public void RunnerStarted(TimeSpan elapsed, bool forPool) =>
        _coldStart.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("for", forPool ? "pool" : "session"));

    public void Decision(string action, string reason) => _decisions.Add(1,
        new KeyValuePair<string, object?>("action", action), new KeyValuePair<string, object?>("reason", reason));
}
