using System.Net.Sockets;

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

    /// <summary>The handler that reaches the daemon; HTTP goes over the unix socket for unix:// endpoints.</summary>
    internal SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            UseProxy = false,
        };
        if (IsUnixSocket)
        {
            var socketPath = Uri.UnescapeDataString(Address.AbsolutePath);
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        return handler;
    }

    /// <summary>Base address of API version <paramref name="apiVersion"/>; the host name is a placeholder for unix sockets.</summary>
    internal Uri BaseAddress(string apiVersion) =>
        IsUnixSocket ? new Uri($"http://docker/v{apiVersion}/") : new Uri($"http://{Address.Authority}/v{apiVersion}/");

    public override string ToString() => Address.OriginalString;
}
