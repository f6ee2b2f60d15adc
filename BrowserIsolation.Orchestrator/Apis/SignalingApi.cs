using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BrowserIsolation.Orchestrator.Auth;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Sessions;
using BrowserIsolation.Orchestrator.Signaling;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Apis;

/// <summary>WebRTC signaling: the browser's SDP offer goes to the session's runner, its answer comes back.</summary>
public static class SignalingApi
{
    private const int MaxOfferBytes = 64 * 1024;

    public static RouteGroupBuilder MapSignalingApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/sessions/{id}").WithTags("Signaling");
        api.MapPost("/offer", OfferAsync).WithName("OfferWebRtc").WithSummary("Send a WebRTC SDP offer, get the answer").WithAccess(ApiAccess.Stream);
        api.MapGet("/ice", GetIceServers).WithName("GetIceServers").WithSummary("ICE servers (STUN, TURN with short-lived credentials)").WithAccess(ApiAccess.Stream);
        return api;
    }

    private static async Task<IResult> OfferAsync(string id, HttpContext context, SessionService sessions, RunnerClient runners,
        CancellationToken cancellationToken)
    {
        using var activity = SessionMetrics.Activities.StartActivity("signaling.offer");
        activity?.SetTag("session.id", id);
        if (await ReadySessionAsync(id, sessions, cancellationToken) is not { } session)
        {
            return await sessions.GetAsync(id, cancellationToken) is { } other
                ? Problems.SessionNotReady(id, other.Status.ToString().ToLowerInvariant())
                : Problems.SessionNotFound(id);
        }
        var offer = await ReadOfferAsync(context.Request, cancellationToken);
        if (offer.Problem is not null)
        {
            return offer.Problem;
        }
        try
        {
            using var content = new StringContent(offer.Sdp!, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
            // A join token names the participant; the query may only do so without one (auth off).
            var caller = context.GetCaller();
            var participant = caller?.Participant?.ParticipantId ?? context.Request.Query["participant"].ToString();
            var path = participant.Length is > 0 and <= 64 ? $"webrtc/offer?participant={Uri.EscapeDataString(participant)}" : "webrtc/offer";
            // The runner closes the peer when the join token expires (docs/security.md, "Open connections").
            if (caller?.Token is { } token)
            {
                path += (path.Contains('?') ? "&" : "?") + $"expires={token.ExpiresAt}";
            }
            using var response = await runners.SendAsync(session, HttpMethod.Post, path, content, cancellationToken);
            var body = await RunnerResponseBody.ReadStringAsync(response.Content, MaxOfferBytes * 4, cancellationToken);
            var type = response.Content.Headers.ContentType?.MediaType ?? "application/sdp";
            if (!response.IsSuccessStatusCode && type != "application/problem+json")
            {
                // Every error is a problem: a runner without WebRTC (404) or one that failed without saying why.
                return response.StatusCode == System.Net.HttpStatusCode.NotFound
                    ? Problems.Create(501, "webrtc_unavailable", "WebRTC unavailable", "this session's browser does not offer WebRTC; use the WebSocket stream")
                    : Problems.RunnerUnavailable($"the session's browser refused the offer ({(int)response.StatusCode})");
            }
            // The runner's own problem (a malformed offer: 400) passes through as it is.
            return Results.Content(body, type, Encoding.UTF8, (int)response.StatusCode);
        }
        catch (HttpRequestException ex)
        {
            return Problems.RunnerUnavailable($"the session's browser did not answer the offer: {ex.Message}");
        }
    }

    private static async Task<(string? Sdp, IResult? Problem)> ReadOfferAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxOfferBytes)
        {
            return (null, Problems.PayloadTooLarge(MaxOfferBytes));
        }
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[MaxOfferBytes + 1];
        var length = await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
        if (length > MaxOfferBytes)
        {
            return (null, Problems.PayloadTooLarge(MaxOfferBytes));
        }
        var text = new string(buffer, 0, length);
        if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                text = JsonDocument.Parse(text).RootElement.GetProperty("sdp").GetString() ?? "";
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return (null, Problems.BadRequest("invalid_offer", "a JSON offer must be {\"sdp\": \"v=0...\"}"));
            }
        }
        return string.IsNullOrWhiteSpace(text) || !text.TrimStart().StartsWith("v=0", StringComparison.Ordinal)
            ? (null, Problems.BadRequest("invalid_offer", "the body must be an SDP offer starting with v=0"))
            : (text, null);
    }

    /// <summary>ICE servers for the client, with short-lived TURN credentials when a TURN secret is configured.</summary>
    private static async Task<IResult> GetIceServers(string id, HttpContext context, SessionService sessions, IOptions<IceOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (await sessions.GetAsync(id, cancellationToken) is not { IsActive: true })
        {
            return Problems.SessionNotFound(id);
        }
        var o = options.Value;
        var servers = new List<object>();
        if (o.StunUrls.Length > 0)
        {
            servers.Add(new { urls = o.StunUrls });
        }
        if (o.Urls.Length > 0 && o.Secret.Length > 0)
        {
            // Per participant and never longer than the join token (or Turn:CredentialLifetime, at most).
            var caller = context.GetCaller();
            var participant = caller?.Participant?.ParticipantId ?? "operator";
            var (username, credential, _) = TurnCredentials.ForParticipant(o.Secret, id, participant, time.GetUtcNow(), o.CredentialLifetime,
                caller?.Token?.Expires);
            servers.Add(new { urls = o.Urls, username, credential });
        }
        return Results.Ok(new { iceServers = servers });
    }

    private static async Task<Session?> ReadySessionAsync(string id, SessionService sessions, CancellationToken cancellationToken) =>
        await sessions.GetAsync(id, cancellationToken) is { Status: SessionStatus.Ready } session ? session : null;
}
