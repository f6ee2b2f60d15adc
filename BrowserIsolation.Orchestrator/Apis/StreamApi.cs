using System.Net.WebSockets;
using BrowserIsolation.Orchestrator.Relay;
using BrowserIsolation.Orchestrator.Sessions;

namespace BrowserIsolation.Orchestrator.Apis;

public static class StreamApi
{
    public static IEndpointRouteBuilder MapStreamApi(this IEndpointRouteBuilder app)
    {
        app.Map("/ws/sessions/{id}", ConnectAsync).WithTags("Streaming");
        return app;
    }

    /// <summary>The client's WebSocket: frames and events from the runner, input to it (docs/protocol.md).</summary>
    private static async Task ConnectAsync(string id, HttpContext context, SessionService sessions, WebSocketRelay relay,
        ILogger<WebSocketRelay> logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Problems.BadRequest("websocket_required", "connect with a WebSocket upgrade").ExecuteAsync(context);
            return;
        }
        var session = await sessions.GetAsync(id, context.RequestAborted);
        var refusal = session switch
        {
            null => Problems.SessionNotFound(id),
            { Status: SessionStatus.Pending } => Problems.SessionNotReady(id, "pending"),
            { IsActive: false } => Problems.SessionEnded(id, session.Status.ToString().ToLowerInvariant()),
            _ => null,
        };
        if (refusal is not null)
        {
            await refusal.ExecuteAsync(context);
            return;
        }
        var participant = context.Request.Query["name"].ToString() is { Length: > 0 and <= 64 } name ? name : "guest";
        ClientWebSocket runner;
        try
        {
            runner = await relay.ConnectRunnerAsync(session!, participant, "owner", context.RequestAborted);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            logger.LogWarning(ex, "Runner of session {SessionId} refused the relay", id);
            await Problems.RunnerUnavailable("the session's browser is not answering").ExecuteAsync(context);
            return;
        }
        using var client = await context.WebSockets.AcceptWebSocketAsync();
        await relay.RelayAsync(client, runner, session!, context.RequestAborted);
    }
}
