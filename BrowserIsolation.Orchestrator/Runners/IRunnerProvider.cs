namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>
/// Starts and ends runners: one BrowserIsolation.Runner (and its Chromium) per session.
/// Process runners are the embedded default; Docker runners are selected with <c>Runner:Provider=docker</c>.
/// </summary>
public interface IRunnerProvider
{
    string Name { get; }

    /// <summary>Starts a runner and returns once its control endpoint answers <c>/health</c>.</summary>
    Task<RunnerInstance> StartAsync(RunnerStartRequest request, CancellationToken cancellationToken);

    /// <summary>Ends the runner and everything it started (Chromium, its profile). Idempotent.</summary>
    Task StopAsync(string runnerId, CancellationToken cancellationToken);

    /// <summary>Runners this provider can see that are alive now, for reconciliation after a restart.</summary>
    Task<IReadOnlyList<RunnerInstance>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Raised when a runner ends without being asked to (crash, kill, OOM).</summary>
    event Action<RunnerExit>? RunnerExited;
}

/// <param name="RunnerId">Unique id chosen by the orchestrator.</param>
/// <param name="Width">Initial viewport width in CSS pixels.</param>
/// <param name="Height">Initial viewport height in CSS pixels.</param>
/// <param name="Labels">Free-form labels (session id, pool state) the provider attaches where it can.</param>
public sealed record RunnerStartRequest(string RunnerId, int Width, int Height, IReadOnlyDictionary<string, string> Labels);

/// <param name="RunnerId">The id given at start.</param>
/// <param name="ControlUri">Base URL of the runner's HTTP/WebSocket API, reachable from the orchestrator.</param>
/// <param name="Token">Bearer secret the runner requires on its control API.</param>
/// <param name="Provider">Name of the provider that owns it.</param>
public sealed record RunnerInstance(
    string RunnerId,
    Uri ControlUri,
    string Token,
    string Provider,
    DateTimeOffset StartedAt,
    IReadOnlyDictionary<string, string> Labels);

public sealed record RunnerExit(string RunnerId, string Reason);

/// <summary>A runner could not be started or refused its assignment; the message says why (with its last log lines).</summary>
public sealed class RunnerStartException(string message, Exception? inner = null) : Exception(message, inner);
