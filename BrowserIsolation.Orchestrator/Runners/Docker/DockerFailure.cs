using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>What went wrong in a Docker call, said plainly: the daemon's own message, or that no daemon answers.</summary>
public static class DockerFailure
{
    /// <summary>The daemon refused the call, or did not answer (not the caller cancelling).</summary>
    public static bool Is(Exception e, CancellationToken caller) =>
        e is DockerApiException or HttpRequestException or SocketException or IOException or TimeoutException ||
        e is OperationCanceledException && !caller.IsCancellationRequested;

    public static string Describe(Exception e, DockerEndpoint endpoint) => e switch
    {
        DockerApiException api => $"the Docker daemon at {endpoint} answered {(int)api.StatusCode}: {DaemonMessage(api)}",
        OperationCanceledException or TimeoutException => $"no answer from the Docker daemon at {endpoint} in time",
        _ => $"cannot reach the Docker daemon at {endpoint} (is it running? set DOCKER_HOST): {e.GetBaseException().Message}",
    };

    /// <summary>The <c>message</c> of the daemon's error body, else the body as it came.</summary>
    public static string DaemonMessage(DockerApiException e)
    {
        try
        {
            using var body = JsonDocument.Parse(e.ResponseBody);
            if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("message", out var message))
            {
                return message.GetString() ?? e.ResponseBody;
            }
        }
        catch (JsonException)
        {
        }
        return string.IsNullOrWhiteSpace(e.ResponseBody) ? e.StatusCode.ToString() : e.ResponseBody.Trim();
    }
}
