namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>
/// A provider that can tell when its backend answers again after an outage (the Docker daemon back from a restart):
/// the start breaker then lets starts through at once instead of waiting out a break grown during the outage.
/// </summary>
public interface IRunnerBackendSignals
{
    event Action? BackendRecovered;
}
