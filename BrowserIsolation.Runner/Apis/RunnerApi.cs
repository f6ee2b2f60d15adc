using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Clients;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BrowserIsolation.Runner.Apis;

public static class RunnerApi
{
    /// <param name="CoBrowse">the orchestrator's co-browsing settings for the session (control mode, idle timeout, viewport).</param>
    public sealed record AssignRequest(string? SessionId, string? Url, int? Width, int? Height, ParticipantsApi.CoBrowseRequest? CoBrowse = null);

    public static IEndpointRouteBuilder MapRunnerApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/session", AssignAsync);
        app.MapGet("/stats", GetStats);
        app.Map("/ws", ServeClientAsync);
        return app;
    }

    /// <summary>Hands this runner to a session: exact viewport, then navigation is started (not awaited to load).</summary>
    private static async Task<Results<Ok<object>, ProblemHttpResult>> AssignAsync(AssignRequest request, RunnerState state,
        BrowserHost browser, Participants.ParticipantRegistry participants, Viewport.ViewportFollower viewport, Uploads.UploadLimit uploadLimit,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.SessionId) || !Uri.TryCreate(request.Url, UriKind.Absolute, out var url) ||
            request.Width is not (>= 100 and <= 7680) || request.Height is not (>= 100 and <= 4320))
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid assignment", detail: "sessionId, an absolute url, width and height are required");
        }
        if (!state.TryAssign(request.SessionId))
        {
            return TypedResults.Problem(statusCode: 409, title: "Runner already used", detail: "a runner serves one session in its life");
        }
        if (request.CoBrowse is { } coBrowse)
        {
            try
            {
                ParticipantsApi.Apply(coBrowse, null, participants, viewport);
                if (coBrowse.MaxUploadBytes is { } maxUpload && maxUpload > 0)
                {
                    uploadLimit.Bytes = maxUpload;
                }
            }
            catch (Participants.ControlRefusedException ex)
            {
                return TypedResults.Problem(statusCode: 400, title: "Invalid assignment", detail: ex.Message);
            }
        }
        await browser.Ready.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        var tabs = browser.Tabs;
        if (request.Width != tabs.Width || request.Height != tabs.Height)
        {
            await tabs.SetViewportAsync(request.Width.Value, request.Height.Value, cancellationToken);
            await browser.Screencast.RestartAsync(cancellationToken);
        }
        var tab = tabs.Active!;
        // Start the navigation and answer at once: a slow site must not hold up "ready" (its page streams as it loads).
        var navigation = browser.Chromium.Cdp.SendAsync("Page.navigate", new { url = url.AbsoluteUri }, tab.SessionId, CancellationToken.None);
        var error = await Task.WhenAny(navigation, Task.Delay(50, cancellationToken)) == navigation && navigation.IsCompletedSuccessfully &&
            navigation.Result.TryGetProperty("errorText", out var e) ? e.GetString() : null;
        return TypedResults.Ok<object>(new { sessionId = request.SessionId, url = url.AbsoluteUri, navigationError = error });
    }

    private static IResult GetStats(BrowserHost browser, ClientHub clients, RunnerState state)
    {
        var ready = browser.IsReady;
        return Results.Ok(new
        {
            sessionId = state.SessionId,
            ready,
            fps = ready ? browser.Screencast.Captured.PerSecond : 0,
            framesCaptured = ready ? browser.Screencast.Captured.Total : 0,
            framesSent = clients.FramesSent,
            clients = clients.Count,
            width = ready ? browser.Tabs.Width : 0,
            height = ready ? browser.Tabs.Height : 0,
            url = ready ? browser.Tabs.Active?.Url : null,
            title = ready ? browser.Tabs.Active?.Title : null,
            uptimeMs = (long)(DateTimeOffset.UtcNow - state.StartedAt).TotalMilliseconds,
        });
    }

    private static async Task ServeClientAsync(HttpContext context, BrowserHost browser, ClientHub clients, IHostApplicationLifetime lifetime)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(statusCode: 400, title: "WebSocket required", detail: "connect with a WebSocket upgrade").ExecuteAsync(context);
            return;
        }
        try
        {
            await browser.Ready.WaitAsync(TimeSpan.FromSeconds(30), context.RequestAborted);
        }
        catch (Exception)
        {
            await Results.Problem(statusCode: 503, title: "Browser unavailable", detail: "Chromium is not running").ExecuteAsync(context);
            return;
        }
        var participant = context.Request.Query["participant"].ToString() is { Length: > 0 and <= 64 } p ? p : "anonymous";
        var name = context.Request.Query["name"].ToString() is { Length: > 0 and <= 64 } n ? n : participant;
        // Never a default: the orchestrator names the role it checked; anything else is refused.
        if (context.Request.Query["role"].ToString() is not ("viewer" or "controller" or "owner") || context.Request.Query["role"].Count != 1)
        {
            await Results.Problem(statusCode: 400, title: "Role required", detail: "role must be viewer, controller or owner",
                extensions: new Dictionary<string, object?> { ["code"] = "invalid_role" }).ExecuteAsync(context);
            return;
        }
        var role = context.Request.Query["role"].ToString();
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await clients.ServeAsync(socket, participant, role, lifetime.ApplicationStopping, name);
    }
}
