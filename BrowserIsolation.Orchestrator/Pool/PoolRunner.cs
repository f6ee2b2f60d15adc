using BrowserIsolation.Orchestrator.Runners;

namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>A warm runner as the pool inventory records it (Redis: JSON; Lua reads width, height and readyAtMs).</summary>
public sealed record PoolRunner(
    string RunnerId,
    string ControlUri,
    string Token,
    string Provider,
    string Owner,
    int Width,
    int Height,
    long StartedAtMs,
    long ReadyAtMs)
{
    public static PoolRunner From(RunnerInstance runner, string owner, int width, int height, long startedAtMs) => new(
        runner.RunnerId, runner.ControlUri.ToString(), runner.Token, runner.Provider, owner, width, height, startedAtMs,
        DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public RunnerInstance ToInstance(string sessionId) => new(RunnerId, new Uri(ControlUri), Token, Provider,
        DateTimeOffset.FromUnixTimeMilliseconds(ReadyAtMs), new Dictionary<string, string> { ["pool"] = "claimed", ["session"] = sessionId });
}

/// <summary>The pool as one read sees it.</summary>
public sealed record PoolSnapshot(
    IReadOnlyList<PoolRunner> Available,
    IReadOnlyList<PoolRunner> Starting,
    IReadOnlyDictionary<string, ClaimedRunner> Claimed,
    int ActiveSessions,
    int RecentDemand);

public sealed record ClaimedRunner(string SessionId, long ClaimedAtMs);
