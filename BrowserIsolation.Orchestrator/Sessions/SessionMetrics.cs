using System.Diagnostics;
using System.Diagnostics.Metrics;
using BrowserIsolation.ServiceDefaults.Telemetry;

namespace BrowserIsolation.Orchestrator.Sessions;

/// <summary>The orchestrator's instruments on the BrowserIsolation meter and activity source.</summary>
public sealed class SessionMetrics
{
    public static readonly ActivitySource Activities = new(OpenTelemetrySetup.SourceName);

    private readonly Counter<long> _created;
    private readonly Counter<long> _ended;
    private readonly Counter<long> _runnerFailures;
    private readonly Histogram<double> _startup;
    private int _active;

    public SessionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(OpenTelemetrySetup.SourceName);
        _created = meter.CreateCounter<long>("browserisolation.sessions.created", "{session}", "Sessions created");
        _ended = meter.CreateCounter<long>("browserisolation.sessions.ended", "{session}", "Sessions ended, by status");
        _runnerFailures = meter.CreateCounter<long>("browserisolation.runner.failures", "{runner}", "Runners that failed to start or died");
        _startup = meter.CreateHistogram<double>("browserisolation.session.startup", "ms", "From create to ready, tagged pool=hit|miss");
        meter.CreateObservableGauge("browserisolation.sessions.active", () => Volatile.Read(ref _active), "{session}", "Sessions pending or ready");
    }

    public void SetActive(int count) => Volatile.Write(ref _active, count);

    public void Created() => _created.Add(1);

    public void Ended(SessionStatus status) => _ended.Add(1, new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()));

    public void RunnerFailed(string stage) => _runnerFailures.Add(1, new KeyValuePair<string, object?>("stage", stage));

    public void Started(double ms, bool poolHit) => _startup.Record(ms, new KeyValuePair<string, object?>("pool", poolHit ? "hit" : "miss"));
}
