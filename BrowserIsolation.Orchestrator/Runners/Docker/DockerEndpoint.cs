using Docker.DotNet;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>Where the Docker daemon listens: <c>unix:///path</c> or <c>tcp://host:port</c>, as in <c>DOCKER_HOST</c>.</summary>
public sealed record DockerEndpoint(Uri Address)
{
    public const string DefaultSocket = "unix:///var/run/docker.sock";

    public bool IsUnixSocket => Address.Scheme == "unix";

    /// <summary>Parses a DOCKER_HOST value; empty means the default socket.</summary>
    public static DockerEndpoint Parse(string? dockerHost)
    {
        var value = string.IsNullOrWhiteSpace(dockerHost) ? DefaultSocket : dockerHost.Trim();
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"DOCKER_HOST '{value}' is not a URI (expected unix:///path or tcp://host:port)", nameof(dockerHost));
        }
        return uri.Scheme switch
        {
            "unix" when uri.AbsolutePath.Length > 1 => new DockerEndpoint(uri),
            "tcp" or "http" when uri.Port > 0 => new DockerEndpoint(uri),
            _ => throw new ArgumentException(
                $"DOCKER_HOST '{value}' is not supported (expected unix:///path or tcp://host:port; TLS endpoints are not supported)",
                nameof(dockerHost)),
        };
    }

    /// <summary>
    /// A Docker.DotNet client for this endpoint; each call is bounded by <paramref name="requestTimeout"/> (the events
    /// stream is not). No API version is pinned: the daemon's own is used (1.41 or later, dockerd 20.10).
    /// </summary>
    public DockerClient CreateClient(TimeSpan? requestTimeout = null) =>
        new DockerClientConfiguration(IsUnixSocket ? Address : new Uri($"http://{Address.Authority}"),
            defaultTimeout: requestTimeout ?? TimeSpan.FromSeconds(30)).CreateClient();

    public override string ToString() => Address.OriginalString;
}
