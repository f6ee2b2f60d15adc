namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>One entry of GET /containers/json.</summary>
public sealed class ContainerSummary
{
    public required string Id { get; init; }
    public List<string>? Names { get; init; }
    public string? Image { get; init; }
    /// <summary>created, running, paused, restarting, removing, exited or dead.</summary>
    public string State { get; init; } = "";
    public string? Status { get; init; }
    public Dictionary<string, string>? Labels { get; init; }
}
