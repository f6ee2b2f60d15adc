using BrowserIsolation.Orchestrator.Auth;
using System.Net.Http.Headers;
using System.Text.Json;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Sessions;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Apis;

/// <summary>
/// The browser control API (navigation, history, tabs, reset) and the session's URL policy. The orchestrator checks
/// the caller (each endpoint's ApiAccess), the session's state and the body's shape; the runner checks the meaning (URLs
/// against the policy, tab ids) and answers with problems of its own, passed through as they are.
/// </summary>
public static class ControlApi
{
    private const int MaxRunnerResponseBytes = 512 * 1024;

    /// <summary>Policies carry lists; they may be larger than other bodies.</summary>
    private const int MaxPolicyBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/sessions/{id}").WithTags("Browser control");
        api.MapPost("/navigate", (string id, HttpContext c) => ForwardAsync(id, c, HttpMethod.Post, "control/navigate", bodyRequired: true))
            .WithName("Navigate").WithSummary("Open a URL in the active tab").WithAccess(ApiAccess.Control);
        foreach (var (action, name, summary) in new[]
        {
            ("back", "GoBack", "Go back in the active tab"), ("forward", "GoForward", "Go forward in the active tab"),
            ("reload", "Reload", "Reload the active tab"), ("reset", "ResetSession", "Reset the browser to a fresh profile"),
        })
        {
            api.MapPost($"/{action}", (string id, HttpContext c) => ForwardAsync(id, c, HttpMethod.Post, $"control/{action}", bodyRequired: false))
                .WithName(name).WithSummary(summary).WithAccess(action == "reset" ? ApiAccess.Manage : ApiAccess.Control);
        }
        api.MapGet("/tabs", (string id, HttpContext c) => ForwardAsync(id, c, HttpMethod.Get, "tabs", bodyRequired: false)).WithName("ListTabs").WithSummary("List the browser's tabs").WithAccess(ApiAccess.View);
        api.MapPost("/tabs", (string id, HttpContext c) => ForwardAsync(id, c, HttpMethod.Post, "tabs", bodyRequired: false)).WithName("OpenTab").WithSummary("Open a new tab").WithAccess(ApiAccess.Control);
        api.MapDelete("/tabs/{tabId}", (string id, string tabId, HttpContext c) =>
            ValidTabId(tabId) ? ForwardAsync(id, c, HttpMethod.Delete, $"tabs/{tabId}", bodyRequired: false) : Task.FromResult(InvalidTabId()))
            .WithName("CloseTab").WithSummary("Close a tab").WithAccess(ApiAccess.Control);
        api.MapPost("/tabs/{tabId}/activate", (string id, string tabId, HttpContext c) =>
            ValidTabId(tabId) ? ForwardAsync(id, c, HttpMethod.Post, $"tabs/{tabId}/activate", bodyRequired: false) : Task.FromResult(InvalidTabId()))
            .WithName("ActivateTab").WithSummary("Make a tab the active one").WithAccess(ApiAccess.Control);
        api.MapGet("/policy", (string id, HttpContext c) => ForwardAsync(id, c, HttpMethod.Get, "policy", bodyRequired: false)).WithName("GetPolicy").WithSummary("Read the session's URL policy").WithAccess(ApiAccess.View);
        api.MapPut("/policy", (string id, HttpContext c) => ForwardAsync(id, c, HttpMethod.Put, "policy", bodyRequired: true, MaxPolicyBytes))
            .WithName("SetPolicy").WithSummary("Replace the session's URL policy").WithAccess(ApiAccess.Operator);
        return app;
    }

    private static bool ValidTabId(string tabId) => tabId.Length is > 0 and <= 64 && tabId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static IResult InvalidTabId() => Problems.BadRequest("invalid_tab_id", "not a tab id (see GET /api/sessions/{id}/tabs)");

    private static async Task<IResult> ForwardAsync(string id, HttpContext context, HttpMethod method, string runnerPath, bool bodyRequired,
        int? maxBodyBytes = null)
    {
        var services = context.RequestServices;
        var sessions = services.GetRequiredService<SessionService>();
        var limits = services.GetRequiredService<IOptions<SessionLimits>>().Value;
        var cancellationToken = context.RequestAborted;

        HttpContent? content = null;
        if (method != HttpMethod.Get && method != HttpMethod.Delete)
        {
            var body = await ReadJsonObjectAsync(context.Request, maxBodyBytes ?? limits.MaxBodyBytes, bodyRequired, cancellationToken);
            if (body.Problem is not null)
            {
                return body.Problem;
            }
            if (body.Json is { } json)
            {
                content = new ByteArrayContent(json);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }
        }

        var session = await sessions.GetAsync(id, cancellationToken);
        switch (session)
        {
            case null:
                return Problems.SessionNotFound(id);
            case { Status: SessionStatus.Pending }:
                return Problems.SessionNotReady(id, "pending");
            case { IsActive: false }:
                return Problems.SessionEnded(id, session.Status.ToString().ToLowerInvariant());
        }
        await sessions.TouchAsync(id);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            // The runner lets a participant drive only while it has control (co-browsing); the operator always.
            var participant = context.GetCaller()?.Participant;
            using var response = await services.GetRequiredService<RunnerClient>().SendAsync(session, method, runnerPath, content, timeout.Token, participant);
            byte[] bytes;
            try
            {
                bytes = await RunnerResponseBody.ReadAsync(response.Content, MaxRunnerResponseBytes, timeout.Token);
            }
            catch (RunnerAnswerTooLargeException)
            {
                return Problems.RunnerUnavailable("the browser answered with more than the API relays");
            }
            var contentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
            return (int)response.StatusCode == StatusCodes.Status204NoContent
                ? Results.NoContent()
                : new RunnerAnswer((int)response.StatusCode, contentType, bytes);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Problems.RunnerUnavailable("the session's browser did not answer");
        }
        finally
        {
            content?.Dispose();
        }
    }

    /// <summary>The body when it is one JSON object within the limit (or absent, if allowed); otherwise a problem.</summary>
    private static async Task<(byte[]? Json, IResult? Problem)> ReadJsonObjectAsync(HttpRequest request, int maxBytes, bool required,
        CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, Problems.PayloadTooLarge(maxBytes));
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                return (null, Problems.PayloadTooLarge(maxBytes));
            }
        }
        if (buffer.Length == 0)
        {
            return required ? (null, Problems.BadRequest("empty_body", "a JSON body is required")) : (null, null);
        }
        var bytes = buffer.ToArray();
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Problems.BadRequest("invalid_json", "the body must be a JSON object"));
            }
        }
        catch (JsonException ex)
        {
            return (null, Problems.BadRequest("invalid_json", $"the body is not valid JSON: {ex.Message.Split(". ")[0]}"));
        }
        return (bytes, null);
    }

    /// <summary>The runner's answer as it was: status, content type and body.</summary>
    private sealed class RunnerAnswer(int status, string contentType, byte[] body) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = contentType;
            httpContext.Response.ContentLength = body.Length;
            await httpContext.Response.Body.WriteAsync(body);
        }
    }
}
