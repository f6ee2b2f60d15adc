namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>A runner container did not become healthy; the message quotes the container's last log lines.</summary>
public sealed class DockerRunnerStartException(string runnerId, string? containerId, string reason, IReadOnlyList<ContainerLogLine> logTail, Exception? inner = null)
    : Exception(Format(runnerId, containerId, reason, logTail), inner)
{
    public string RunnerId { get; } = runnerId;

    public string? ContainerId { get; } = containerId;

    public string Reason { get; } = reason;

    public IReadOnlyList<ContainerLogLine> LogTail { get; } = logTail;

    private static string Format(string runnerId, string? containerId, string reason, IReadOnlyList<ContainerLogLine> logTail)
    {
        var container = containerId is null ? "" : $" (container {containerId[..Math.Min(12, containerId.Length)]})";
        return logTail.Count == 0
            ? $"runner {runnerId}{container} failed to start: {reason}; the container logged nothing"
            : $"runner {runnerId}{container} failed to start: {reason}; last container log lines:\n{string.Join('\n', logTail)}";
    }
}
