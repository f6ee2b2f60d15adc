using System.Net;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>A Docker Engine API call failed; <see cref="Exception.Message"/> carries the daemon's own message.</summary>
public sealed class DockerApiException(string operation, HttpStatusCode? statusCode, string daemonMessage, Exception? inner = null)
    : Exception($"Docker {operation} failed{(statusCode is { } s ? $" ({(int)s})" : "")}: {daemonMessage}", inner)
{
    public string Operation { get; } = operation;

    /// <summary>The HTTP status the daemon answered with; null when it did not answer at all.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;

    public string DaemonMessage { get; } = daemonMessage;
}
