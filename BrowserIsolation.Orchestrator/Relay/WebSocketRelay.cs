using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using BrowserIsolation.Orchestrator.Sessions;
using BrowserIsolation.ServiceDefaults.Relay;

namespace BrowserIsolation.Orchestrator.Relay;

/// <summary>Who a relayed client is, as the runner is told (it refuses a viewer's input).</summary>
public sealed record RunnerParticipant(string ParticipantId, string DisplayName, string Role);

/// <summary>
/// Relays one client WebSocket to the session's runner, message for message in both directions
/// (a JPEG frame stays one binary message). Ends when either side closes or the session ends.
/// </summary>
public sealed class WebSocketRelay(SessionConnections connections, SessionService sessions, ILogger<WebSocketRelay> logger)
{
    /// <summary>Opens the runner side first, so a dead runner is refused before the client's upgrade is accepted.</summary>
    public async Task<ClientWebSocket> ConnectRunnerAsync(Session session, RunnerParticipant participant, CancellationToken cancellationToken)
    {
        var upstream = new ClientWebSocket();
        upstream.Options.SetRequestHeader("Authorization", $"Bearer {session.RunnerToken}");
        upstream.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        var runner = new UriBuilder(new Uri(new Uri(session.RunnerUri!), "ws"))
        {
            Scheme = session.RunnerUri!.StartsWith("https", StringComparison.Ordinal) ? "wss" : "ws",
            Query = $"participant={Uri.EscapeDataString(participant.ParticipantId)}&name={Uri.EscapeDataString(participant.DisplayName)}" +
                $"&role={Uri.EscapeDataString(participant.Role)}",
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

    /// <summary>The close reason (and error code) when the join token's expiry ends the relay.</summary>
    public const string TokenExpired = "token_expired";

    /// <param name="expires">the join token's expiry: the relay ends then, with a <c>token_expired</c> error.</param>
    public async Task RelayAsync(WebSocket client, ClientWebSocket runner, Session session, string participantId, CancellationToken requestAborted,
        DateTimeOffset? expires = null)
    {
        using var registration = connections.Register(session.SessionId, participantId);
        await sessions.TouchAsync(session.SessionId);
        using var expiry = new CancellationTokenSource();
        if (expires is { } end)
        {
            var due = end - DateTimeOffset.UtcNow;
            expiry.CancelAfter(due > TimeSpan.Zero ? due : TimeSpan.Zero);
        }
        using var onExpiry = expiry.Token.Register(runner.Abort);
        // Cancelling a pending WebSocket call aborts the socket, so the pumps run uncancelled and end when a side
        // closes; a session end aborts only the runner side, then the client gets a status and a clean close.
        using var onSessionEnd = registration.SessionEnded.Register(runner.Abort);
        using var onAbort = requestAborted.Register(() => { runner.Abort(); client.Abort(); });
        var up = WebSocketPump.RunAsync(client, runner);
        var down = WebSocketPump.RunAsync(runner, client);
        try
        {
            var first = await Task.WhenAny(up, down);
            if (expiry.IsCancellationRequested)
            {
                await TrySendAsync(client, JsonSerializer.Serialize(new
                {
                    type = "error", code = TokenExpired, message = "your join token expired; join again with a new one",
                }, JsonSerializerOptions.Web));
                await WebSocketPump.CloseAsync(client, TokenExpired, WebSocketCloseStatus.PolicyViolation);
                await Task.WhenAny(up, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
                client.Abort();
                await Task.WhenAll(up, down);
                return;
            }
            if (first == down)
            {
                // The runner side ended: say why, from the store (removed, deleted, timed out, or the browser died).
                if (await RemovedAsync(session.SessionId, participantId))
                {
                    await TrySendAsync(client, JsonSerializer.Serialize(new { type = "removed", message = "An owner removed you from this session." },
                        JsonSerializerOptions.Web));
                    await WebSocketPump.CloseAsync(client, "removed from the session");
                    await Task.WhenAny(up, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
                    client.Abort();
                    await Task.WhenAll(up, down);
                    return;
                }
                var final = await FinalStateAsync(session.SessionId);
                if (final is not null)
                {
                    await TrySendAsync(client, JsonSerializer.Serialize(new
                    {
                        type = "status",
                        status = final.Status.ToString().ToLowerInvariant(),
                        error = final.Error,
                    }, JsonSerializerOptions.Web));
                }
                await WebSocketPump.CloseAsync(client, final is null ? "browser connection lost" : "session ended");
                if (await Task.WhenAny(up, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)) != up)
                {
                    client.Abort();
                }
            }
            else
            {
                await WebSocketPump.CloseAsync(runner, "client left");
                runner.Abort();
            }
            await Task.WhenAll(up, down);
        }
        finally
        {
            runner.Dispose();
            await sessions.TouchAsync(session.SessionId);
            logger.LogDebug("Relay for session {SessionId} ended", session.SessionId);
        }
    }

    /// <summary>Whether the participant was removed from the session (its runner connection was closed for that).</summary>
    private async Task<bool> RemovedAsync(string sessionId, string participantId) =>
        (await sessions.GetAsync(sessionId, CancellationToken.None))?.Participants.Any(p => p.ParticipantId == participantId && p.Revoked) ?? false;

    /// <summary>The session's ended state; a runner that just died is marked failed a moment after its socket drops.</summary>
    private async Task<Session?> FinalStateAsync(string sessionId)
    {
        for (var attempt = 0; attempt < 30; attempt++)
        {
            var current = await sessions.GetAsync(sessionId, CancellationToken.None);
            if (current is null || !current.IsActive)
            {
                return current;
            }
            await Task.Delay(100, CancellationToken.None);
        }
        return null;
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
}
