namespace BrowserIsolation.Orchestrator.Runners.Docker;

// Request bodies of POST /containers/create (Engine API 1.41); property names are the API's own.

public sealed class ContainerSpec
{
    public required string Image { get; init; }
    public string? User { get; init; }
    public List<string>? Env { get; init; }
    public List<string>? Cmd { get; init; }
    public Dictionary<string, string>? Labels { get; init; }
    /// <summary>Keys like <c>8080/tcp</c>; values are empty objects.</summary>
    public Dictionary<string, object>? ExposedPorts { get; init; }
    public int? StopTimeout { get; init; }
    public HostConfig? HostConfig { get; init; }
}

public sealed class HostConfig
{
    public string? NetworkMode { get; init; }
    public Dictionary<string, List<PortBinding>>? PortBindings { get; init; }
    public long? Memory { get; init; }
    public long? MemorySwap { get; init; }
    public long? NanoCpus { get; init; }
    public long? PidsLimit { get; init; }
    public long? ShmSize { get; init; }
    public bool? ReadonlyRootfs { get; init; }
    /// <summary>Mount point to tmpfs options (<c>size=...,uid=...</c>).</summary>
    public Dictionary<string, string>? Tmpfs { get; init; }
    public List<string>? SecurityOpt { get; init; }
    public List<string>? CapAdd { get; init; }
    public List<string>? CapDrop { get; init; }
    public bool? Init { get; init; }
    public List<string>? ExtraHosts { get; init; }
    public LogConfig? LogConfig { get; init; }
    public bool? AutoRemove { get; init; }
}

public sealed record PortBinding(string? HostIp, string? HostPort);

public sealed record LogConfig(string Type, Dictionary<string, string>? Config);

public sealed record ContainerCreated(string Id, List<string>? Warnings);
