namespace BrowserIsolation.Runner;

/// <summary>What the orchestrator assigned this runner to. A runner serves one session in its life, never two.</summary>
public sealed class RunnerState
{
    private int _assigned;

    public string? SessionId { get; private set; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public bool TryAssign(string sessionId)
    {
        if (Interlocked.Exchange(ref _assigned, 1) == 1)
        {
            return false;
        }
        SessionId = sessionId;
        return true;
    }
}
