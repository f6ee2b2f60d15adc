using System.Net.WebSockets;
using BrowserIsolation.Orchestrator.Auth;
using BrowserIsolation.Orchestrator.Relay;
using BrowserIsolation.Orchestrator.Sessions;

namespace BrowserIsolation.Orchestrator.Apis;

public static class StreamApi
{
    public static IEndpointRouteBuilder MapStreamApi(this IEndpointRouteBuilder app)
    {
        app.Map("/ws/sessions/{id}", ConnectAsync).WithTags("Streaming").WithName("StreamSession").WithSummary("The session's WebSocket: frames and events out, input in").WithAccess(ApiAccess.Stream);
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
        // A join token names the participant; without auth, a token-less client is the operator (owner), named by ?name=.
        var caller = context.GetCaller();
        var participant = caller?.Participant is { } p
            ? new RunnerParticipant(p.ParticipantId, p.DisplayName, p.Role)
            : new RunnerParticipant("local", JoinTokenIssuer.CleanDisplayName(context.Request.Query["name"].ToString()) ?? "Owner", Roles.Owner);
        ClientWebSocket runner;
        try
        {
            runner = await relay.ConnectRunnerAsync(session!, participant, context.RequestAborted);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            logger.LogWarning(ex, "Runner of session {SessionId} refused the relay", id);
            await Problems.RunnerUnavailable("the session's browser is not answering").ExecuteAsync(context);
            return;
        }
        using var client = await context.WebSockets.AcceptWebSocketAsync();
        await relay.RelayAsync(client, runner, session!, participant.ParticipantId, context.RequestAborted, caller?.Token?.Expires);
    }
}
