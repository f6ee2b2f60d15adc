using System.Net.Http.Headers;
using BrowserIsolation.Orchestrator.Auth;
using BrowserIsolation.Orchestrator.Participants;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Sessions;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Apis;

/// <summary>
/// Co-browsing over REST (docs/protocol.md, "Co-browsing"): participants (list, role, remove), control (grant, take
/// away, mode and settings) and answers to a page's file chooser. Who may call what is each endpoint's ApiAccess.
/// </summary>
public static class ParticipantsApi
{
    public sealed record RoleRequest(string? Role);

    public static IEndpointRouteBuilder MapParticipantsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/sessions/{id}").WithTags("Co-browsing");
        api.MapGet("/participants", (string id, HttpContext c, ParticipantDirectory directory) =>
            WithSessionAsync(id, c, false, session => directory.ListAsync(session, c.RequestAborted))).WithName("ListParticipants").WithSummary("List the session's participants").WithAccess(ApiAccess.View);
        api.MapPut("/participants/{participantId}", (string id, string participantId, HttpContext c, ParticipantDirectory directory,
            IOptions<SessionLimits> limits) => WithSessionAsync(id, c, false, async session =>
        {
            if (!ValidParticipantId(participantId))
            {
                return InvalidParticipantId();
            }
            var body = await RequestBody.ReadJsonAsync<RoleRequest>(c.Request, limits.Value.MaxBodyBytes, c.RequestAborted);
            if (body.Problem is not null)
            {
                return body.Problem;
            }
            var role = body.Value!.Role?.Trim().ToLowerInvariant();
            return Roles.IsValid(role)
                ? await directory.SetRoleAsync(session, participantId, role!, c.GetCaller(), c.RequestAborted)
                : Problems.BadRequest("invalid_role", "'role' must be owner, controller or viewer");
        })).WithName("SetParticipantRole").WithSummary("Change a participant's role").WithAccess(ApiAccess.Manage);
        api.MapDelete("/participants/{participantId}", (string id, string participantId, HttpContext c, ParticipantDirectory directory) =>
            WithSessionAsync(id, c, false, session => ValidParticipantId(participantId)
                ? directory.RemoveAsync(session, participantId, c.GetCaller(), c.RequestAborted)
                : Task.FromResult(InvalidParticipantId()))).WithName("RemoveParticipant").WithSummary("Remove a participant (its tokens stop working)").WithAccess(ApiAccess.Manage);
        api.MapPost("/participants/{participantId}/control", (string id, string participantId, HttpContext c) =>
            ValidParticipantId(participantId) ? ForwardAsync(id, c, HttpMethod.Post, $"participants/{participantId}/control") : Task.FromResult(InvalidParticipantId()))
            .WithName("GiveControl").WithSummary("Give a participant control of the browser").WithAccess(ApiAccess.Manage);
        api.MapDelete("/participants/{participantId}/control", (string id, string participantId, HttpContext c) =>
            ValidParticipantId(participantId) ? ForwardAsync(id, c, HttpMethod.Delete, $"participants/{participantId}/control") : Task.FromResult(InvalidParticipantId()))
            .WithName("TakeControl").WithSummary("Take control away from a participant").WithAccess(ApiAccess.Manage);
        api.MapGet("/control", (string id, HttpContext c) => ForwardAsync(id, c, HttpMethod.Get, "cobrowse")).WithName("GetControl").WithSummary("Read who has control, and the control settings").WithAccess(ApiAccess.View);
        api.MapPut("/control", (string id, HttpContext c) => ForwardAsync(id, c, HttpMethod.Put, "cobrowse", json: true)).WithName("SetControl").WithSummary("Change the control mode and settings").WithAccess(ApiAccess.Manage);
        api.MapPost("/uploads/{chooserId}", (string id, string chooserId, HttpContext c) =>
            ValidChooserId(chooserId) ? ForwardAsync(id, c, HttpMethod.Post, $"uploads/{chooserId}", upload: true) : Task.FromResult(InvalidChooserId()))
            .WithName("AnswerFileChooser").WithSummary("Answer a page's file chooser with files").WithAccess(ApiAccess.Control);
        api.MapDelete("/uploads/{chooserId}", (string id, string chooserId, HttpContext c) =>
            ValidChooserId(chooserId) ? ForwardAsync(id, c, HttpMethod.Delete, $"uploads/{chooserId}") : Task.FromResult(InvalidChooserId()))
            .WithName("CancelFileChooser").WithSummary("Cancel a page's file chooser").WithAccess(ApiAccess.Control);
        return app;
    }

    private static bool ValidParticipantId(string id) => id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static IResult InvalidParticipantId() => Problems.BadRequest("invalid_participant_id", "not a participant id (see GET /api/sessions/{id}/participants)");

    private static bool ValidChooserId(string id) => id.Length is > 0 and <= 32 && id.All(char.IsAsciiHexDigit);

    private static IResult InvalidChooserId() => Problems.BadRequest("invalid_chooser_id", "not a file chooser id (from a file-chooser event)");

    /// <summary>Runs <paramref name="action"/> on a live session (pending sessions too when <paramref name="readyOnly"/> is false).</summary>
    private static async Task<IResult> WithSessionAsync(string id, HttpContext context, bool readyOnly, Func<Session, Task<IResult>> action)
    {
        var session = await context.RequestServices.GetRequiredService<SessionService>().GetAsync(id, context.RequestAborted);
        return session switch
        {
            null => Problems.SessionNotFound(id),
            { IsActive: false } => Problems.SessionEnded(id, session.Status.ToString().ToLowerInvariant()),
            { Status: SessionStatus.Pending } when readyOnly => Problems.SessionNotReady(id, "pending"),
            _ => await action(session),
        };
    }

    /// <summary>Passes the call to the runner as it is (JSON or multipart body streamed), naming the participant behind it.</summary>
    private static Task<IResult> ForwardAsync(string id, HttpContext context, HttpMethod method, string runnerPath, bool json = false, bool upload = false) =>
        WithSessionAsync(id, context, true, async session =>
        {
            var services = context.RequestServices;
            var cancellationToken = context.RequestAborted;
            HttpContent? content = null;
            if (upload)
            {
                var limit = services.GetRequiredService<IOptions<CoBrowseOptions>>().Value.MaxUploadBytes + 64 * 1024;
                if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                {
                    size.MaxRequestBodySize = limit;
                }
                if (context.Request.ContentLength > limit)
                {
                    return Problems.Create(413, "upload_too_large", "Upload too large", $"uploads are limited to {limit - 64 * 1024} bytes");
                }
                if (!context.Request.HasFormContentType)
                {
                    return Problems.BadRequest("multipart_required", "send the files as multipart/form-data");
                }
                content = new StreamContent(context.Request.Body);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(context.Request.ContentType!);
            }
            else if (json)
            {
                var limit = services.GetRequiredService<IOptions<SessionLimits>>().Value.MaxBodyBytes;
                var body = await RequestBody.ReadJsonAsync<System.Text.Json.Nodes.JsonObject>(context.Request, limit, cancellationToken);
                if (body.Problem is not null)
                {
                    return body.Problem;
                }
                content = new StringContent(body.Value!.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            }
            await services.GetRequiredService<SessionService>().TouchAsync(id);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(upload ? TimeSpan.FromMinutes(10) : TimeSpan.FromSeconds(20));
                var participant = context.GetCaller()?.Participant;
                using var response = await services.GetRequiredService<RunnerClient>().SendAsync(session, method, runnerPath, content, timeout.Token, participant);
                var bytes = await RunnerResponseBody.ReadAsync(response.Content, RunnerResponseBody.DefaultMaxBytes, timeout.Token);
                return (int)response.StatusCode == StatusCodes.Status204NoContent
                    ? Results.NoContent()
                    : Results.Content(System.Text.Encoding.UTF8.GetString(bytes), response.Content.Headers.ContentType?.MediaType ?? "application/json", System.Text.Encoding.UTF8, (int)response.StatusCode);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return Problems.RunnerUnavailable("the session's browser did not answer");
            }
            finally
            {
                content?.Dispose();
            }
        });
}
