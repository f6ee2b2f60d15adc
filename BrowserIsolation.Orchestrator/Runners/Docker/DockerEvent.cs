namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>One message of GET /events (newline-delimited JSON).</summary>
public sealed class DockerEvent
{
    /// <summary>container, image, network, ...</summary>
    public string? Type { get; init; }
    /// <summary>create, start, die, destroy, oom, kill, ...</summary>
    public string? Action { get; init; }
    public EventActor? Actor { get; init; }
    /// <summary>Unix time in nanoseconds.</summary>
    public long TimeNano { get; init; }
}

public sealed class EventActor
{
    public string? ID { get; init; }
    /// <summary>For containers: its labels, plus name, image and, on die, exitCode.</summary>
    public Dictionary<string, string>? Attributes { get; init; }
}
