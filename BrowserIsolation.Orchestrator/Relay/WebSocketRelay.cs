using System.Net.WebSockets;
using System.Text;
using BrowserIsolation.Orchestrator.Sessions;

namespace BrowserIsolation.Orchestrator.Relay;

/// <summary>
/// Relays one client WebSocket to the session's runner, message for message in both directions
/// (a JPEG frame stays one binary message). Ends when either side closes or the session ends.
/// </summary>
public sealed class WebSocketRelay(SessionConnections connections, SessionService sessions, ILogger<WebSocketRelay> logger)
{
    private const int ChunkBytes = 64 * 1024;

    /// <summary>Opens the runner side first, so a dead runner is refused before the client's upgrade is accepted.</summary>
    public async Task<ClientWebSocket> ConnectRunnerAsync(Session session, string participant, string role, CancellationToken cancellationToken)
    {
        var upstream = new ClientWebSocket();
        upstream.Options.SetRequestHeader("Authorization", $"Bearer {session.RunnerToken}");
        upstream.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        var runner = new UriBuilder(new Uri(new Uri(session.RunnerUri!), "ws"))
        {
            Scheme = session.RunnerUri!.StartsWith("https", StringComparison.Ordinal) ? "wss" : "ws",
            Query = $"participant={Uri.EscapeDataString(participant)}&role={Uri.EscapeDataString(role)}",
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await upstream.ConnectAsync(runner.Uri, timeout.Token);
            return upstream;
        }
        catch
        {
            upstream.Dispose();
            throw;
        }
    }

    public async Task RelayAsync(WebSocket client, ClientWebSocket runner, Session session, CancellationToken requestAborted)
    {
        using var registration = connections.Register(session.SessionId);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, registration.SessionEnded);
        await sessions.TouchAsync(session.SessionId);
        try
        {
            var up = PumpAsync(client, runner, linked.Token);
            var down = PumpAsync(runner, client, linked.Token);
            await Task.WhenAny(up, down);
        }
        finally
        {
            var sessionEnded = registration.SessionEnded.IsCancellationRequested;
            await linked.CancelAsync();
            if (sessionEnded)
            {
                await TrySendAsync(client, "{\"type\":\"status\",\"status\":\"terminated\"}");
            }
            await CloseAsync(client, sessionEnded ? "session ended" : "runner closed");
            await CloseAsync(runner, "client left");
            runner.Dispose();
            await sessions.TouchAsync(session.SessionId);
            logger.LogDebug("Relay for session {SessionId} ended", session.SessionId);
        }
    }

    private static async Task PumpAsync(WebSocket from, WebSocket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkBytes];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var result = await from.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // one side went away; the caller closes the other
        }
    }

    private static async Task TrySendAsync(WebSocket socket, string json)
    {
        if (socket.State != WebSocketState.Open)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // best effort
        }
    }

    private static async Task CloseAsync(WebSocket socket, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // already closed
        }
    }
}
