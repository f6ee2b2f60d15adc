namespace BrowserIsolation.Orchestrator.Runners.Docker;

// Response of GET /containers/{id}/json: only the fields the runner provider reads.

public sealed class ContainerDetails
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public ContainerState State { get; init; } = new();
    public ContainerConfig Config { get; init; } = new();
    public HostConfig? HostConfig { get; init; }
    public NetworkSettings? NetworkSettings { get; init; }

    /// <summary>The host port a container port (<c>8080/tcp</c>) is published on, if any.</summary>
    public int? PublishedPort(string containerPort)
    {
        if (NetworkSettings?.Ports is { } ports && ports.TryGetValue(containerPort, out var bindings) && bindings is not null)
        {
            foreach (var binding in bindings)
            {
                if (int.TryParse(binding.HostPort, out var port) && port > 0)
                {
                    return port;
                }
            }
        }
        return null;
    }

    /// <summary>The container's address on its first network that has one.</summary>
    public string? IpAddress =>
        NetworkSettings?.Networks?.Values.Select(n => n.IPAddress).FirstOrDefault(ip => !string.IsNullOrEmpty(ip))
        ?? (string.IsNullOrEmpty(NetworkSettings?.IPAddress) ? null : NetworkSettings.IPAddress);

    /// <summary>The value of one <c>NAME=value</c> entry of the container's environment.</summary>
    public string? EnvironmentValue(string name)
    {
        var prefix = name + "=";
        return Config.Env?.FirstOrDefault(e => e.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
    }
}

public sealed class ContainerState
{
    /// <summary>created, running, paused, restarting, removing, exited or dead.</summary>
    public string Status { get; init; } = "";
    public bool Running { get; init; }
    public int ExitCode { get; init; }
    public bool OOMKilled { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    public int Pid { get; init; }
}

public sealed class ContainerConfig
{
    public string? Image { get; init; }
    public string? User { get; init; }
    public List<string>? Env { get; init; }
    public Dictionary<string, string>? Labels { get; init; }
}

public sealed class NetworkSettings
{
    public string? IPAddress { get; init; }
    public Dictionary<string, List<PortBinding>?>? Ports { get; init; }
    public Dictionary<string, EndpointSettings>? Networks { get; init; }
}

public sealed record EndpointSettings(string? IPAddress);
