using System.Text.Json;
using System.Text.Json.Serialization;
using BrowserIsolation.Orchestrator.Auth;
using BrowserIsolation.Orchestrator.RateLimiting;
using BrowserIsolation.Orchestrator.Relay;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Sessions;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Apis;

public static class SessionsApi
{
    public sealed record CreateSessionRequest(string? Url, int? Width, int? Height);

    public static RouteGroupBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/sessions").WithTags("Sessions");
        api.MapPost("/", CreateAsync).WithName("CreateSession").WithSummary("Create a session (and its owner token)").WithAccess(ApiAccess.Operator).RequireRateLimiting(ApiRateLimits.SessionCreates);
        api.MapGet("/", ListAsync).WithName("ListSessions").WithSummary("List sessions").WithAccess(ApiAccess.Operator);
        api.MapGet("/{id}", GetAsync).WithName("GetSession").WithSummary("Read a session and its stream metrics").WithAccess(ApiAccess.View);
        api.MapDelete("/{id}", DeleteAsync).WithName("EndSession").WithSummary("End a session").WithAccess(ApiAccess.Manage);
        return api;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, SessionService sessions, IOptions<SessionLimits> options,
        SessionQuota quota, JoinTokenIssuer tokens, RunnerStartBreaker breaker, Pool.PoolState pool, HostCapacity capacity, bool? wait, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var body = await RequestBody.ReadJsonAsync<CreateSessionRequest>(context.Request, o.MaxBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var request = body.Value!;
        if (SessionRequestValidator.Validate(request.Url, request.Width, request.Height, o) is { } invalid)
        {
            return invalid;
        }
        // No warm runner and starts suspended: say why now rather than admit a session that can only fail.
        if (breaker.IsRefusing && pool.Current.Available == 0)
        {
            context.Response.Headers.RetryAfter = breaker.RetryAfterSeconds.ToString();
            return Problems.Create(503, "runner_unavailable", "Browser unavailable", breaker.Refusal());
        }
        if (capacity.Refusal() is { } full)
        {
            return full;
        }
        var url = SessionRequestValidator.NormalizeUrl(request.Url!);
        var createdBy = context.User.Identity?.Name ?? "anonymous";
        var (admitted, session) = await quota.AdmitAsync(createdBy, () => sessions.CreateAsync(url, request.Width ?? o.DefaultWidth,
            request.Height ?? o.DefaultHeight, createdBy, cancellationToken), cancellationToken);
        if (!admitted)
        {
            return Problems.Create(429, "session_quota", "Too many sessions for this API key",
                $"an API key may hold {quota.Limit} active sessions (Auth:MaxSessionsPerApiKey); end one first");
        }
        if (session is null)
        {
            context.Response.Headers.RetryAfter = o.RetryAfterSeconds.ToString();
            return Problems.Create(429, "too_many_sessions", "Too many sessions",
                $"the limit of {o.MaxSessions} active sessions is reached; retry after {o.RetryAfterSeconds} s or end a session");
        }
        // The creator joins as owner: the Web UI (and integrators) open the session with this token.
        var (owner, _) = await tokens.IssueAsync(session.SessionId, new JoinTokenIssuer.Request(Roles.Owner, "Owner", null, null),
            context.Request, cancellationToken);
        if (wait == true)
        {
            session = await sessions.WaitUntilStartedAsync(session.SessionId, o.StartTimeout, cancellationToken) ?? session;
        }
        return Results.Created($"/api/sessions/{session.SessionId}", SessionView.From(session, metrics: null) with { OwnerToken = owner });
    }

    private static async Task<IResult> ListAsync(SessionService sessions, CancellationToken cancellationToken)
    {
        var all = await sessions.ListAsync(cancellationToken);
        return Results.Ok(new { sessions = all.Select(s => SessionView.From(s, metrics: null)) });
    }

    private static async Task<IResult> GetAsync(string id, SessionService sessions, RunnerClient runners, SessionConnections connections,
        CancellationToken cancellationToken)
    {
        if (await sessions.GetAsync(id, cancellationToken) is not { } session)
        {
            return Problems.SessionNotFound(id);
        }
        var stats = session.Status == SessionStatus.Ready
            ? await runners.GetStatsAsync(session, TimeSpan.FromMilliseconds(500), cancellationToken)
            : null;
        return Results.Ok(SessionView.From(session, SessionMetricsView.From(session, stats, connections.Count(id))));
    }

    private static async Task<IResult> DeleteAsync(string id, SessionService sessions, CancellationToken cancellationToken)
    {
        if (await sessions.GetAsync(id, cancellationToken) is null)
        {
            return Problems.SessionNotFound(id);
        }
        await sessions.TerminateAsync(id, "deleted through the API", cancellationToken);
        return Results.NoContent();
    }
}

public sealed record SessionView(
    string SessionId, string Status, string Url, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? ReadyAt,
    DateTimeOffset? EndedAt, int Width, int Height, long? StartupMs, string WsUrl, string? RunnerId, SessionMetricsView? Metrics)
{
    /// <summary>Only in the create response: the creator's owner token and join link.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JoinTokenView? OwnerToken { get; init; }

    public static SessionView From(Session s, SessionMetricsView? metrics) => new(
        s.SessionId, JsonNamingPolicy.CamelCase.ConvertName(s.Status.ToString()), s.Url, s.Error, s.CreatedAt, s.ReadyAt, s.EndedAt,
        s.Width, s.Height, s.StartupMs, $"/ws/sessions/{s.SessionId}", s.RunnerId, metrics);
}

public sealed record SessionMetricsView(double Fps, long FramesSent, long FramesCaptured, int ConnectedClients, long? StartupMs, bool PoolHit,
    string? CurrentUrl, string? Title)
{
    public static SessionMetricsView From(Session s, JsonElement? stats, int localClients)
    {
        double Number(string name) => stats is { } j && j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
        var clients = stats is null ? localClients : (int)Number("clients");
        string? Text(string name) => stats is { } j && j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new(Math.Round(Number("fps"), 1), (long)Number("framesSent"), (long)Number("framesCaptured"), clients, s.StartupMs, s.PoolHit,
            Text("url"), Text("title"));
    }
}
