using System.Text.Json;
using BrowserIsolation.Runner.Participants;
using BrowserIsolation.Runner.Viewport;

namespace BrowserIsolation.Runner.Apis;

/// <summary>
/// Participants and control for the orchestrator (docs/protocol.md, "Runner HTTP API"). The orchestrator has already
/// checked the caller; <c>X-BI-Participant</c> names a participant acting (an owner), none means the operator.
/// </summary>
public static class ParticipantsApi
{
    public sealed record RoleRequest(string? Role);

    /// <param name="Mode">exclusive or shared.</param>
    /// <param name="IdleTimeoutSeconds">0 turns the control idle timeout off.</param>
    /// <param name="ViewportMode">fixed or follow-owner.</param>
    /// <param name="ReconnectGraceSeconds">how long a dropped participant keeps its place.</param>
    /// <param name="MaxUploadBytes">the largest file upload (assignment only).</param>
    public sealed record CoBrowseRequest(ControlMode? Mode, double? IdleTimeoutSeconds, ViewportMode? ViewportMode, double? ReconnectGraceSeconds = null,
        long? MaxUploadBytes = null);

    public static IEndpointRouteBuilder MapParticipantsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/participants", (ParticipantRegistry registry, ViewportFollower viewport) => Results.Ok(Describe(registry, viewport)));
        app.MapPut("/participants/{participantId}", (string participantId, HttpContext c, ParticipantRegistry registry) => RunAsync(c, participantId, async ct =>
        {
            var body = await ControlApi.ReadAsync<RoleRequest>(c, ct);
            var role = body?.Role?.Trim().ToLowerInvariant();
            if (!ParticipantRoles.IsValid(role))
            {
                return Problem(400, "invalid_role", "'role' must be owner, controller or viewer");
            }
            var present = registry.SetRole(participantId, role!);
            return Results.Ok(new { participantId, role, present });
        }));
        app.MapDelete("/participants/{participantId}", (string participantId, HttpContext c, ParticipantRegistry registry) => RunAsync(c, participantId, _ =>
        {
            registry.Remove(participantId);
            return Task.FromResult(Results.NoContent());
        }));
        app.MapPost("/participants/{participantId}/control", (string participantId, HttpContext c, ParticipantRegistry registry, ViewportFollower viewport) =>
            RunAsync(c, participantId, _ =>
            {
                registry.Control(Actor(c, registry), "grant", participantId);
                return Task.FromResult(Results.Ok(ControlView(registry, viewport)));
            }));
        app.MapDelete("/participants/{participantId}/control", (string participantId, HttpContext c, ParticipantRegistry registry, ViewportFollower viewport) =>
            RunAsync(c, participantId, _ =>
            {
                registry.Control(Actor(c, registry), "revoke", participantId);
                return Task.FromResult(Results.Ok(ControlView(registry, viewport)));
            }));
        app.MapGet("/cobrowse", (ParticipantRegistry registry, ViewportFollower viewport) => Results.Ok(ControlView(registry, viewport)));
        app.MapPut("/cobrowse", (HttpContext c, ParticipantRegistry registry, ViewportFollower viewport) => RunAsync(c, null, async ct =>
        {
            var body = await ControlApi.ReadAsync<CoBrowseRequest>(c, ct) ?? new CoBrowseRequest(null, null, null);
            Apply(body, Actor(c, registry), registry, viewport);
            return Results.Ok(ControlView(registry, viewport));
        }));
        return app;
    }

    /// <summary>Applies co-browsing settings (an owner, the operator, or the orchestrator's assignment).</summary>
    public static void Apply(CoBrowseRequest settings, string? actor, ParticipantRegistry registry, ViewportFollower viewport)
    {
        if (settings.IdleTimeoutSeconds is { } idle && (!double.IsFinite(idle) || idle < 0 || idle > 86_400))
        {
            throw new ControlRefusedException("invalid_idle_timeout", "'idleTimeoutSeconds' must be between 0 (off) and 86400", 400);
        }
        if (settings.ReconnectGraceSeconds is { } grace && (!double.IsFinite(grace) || grace < 0 || grace > 3600))
        {
            throw new ControlRefusedException("invalid_reconnect_grace", "'reconnectGraceSeconds' must be between 0 and 3600", 400);
        }
        if (settings.ReconnectGraceSeconds is { } graceSeconds)
        {
            registry.SetReconnectGrace(TimeSpan.FromSeconds(graceSeconds));
        }
        if (settings.Mode is { } mode)
        {
            registry.Control(actor, "mode", mode: mode);
        }
        if (settings.IdleTimeoutSeconds is { } seconds)
        {
            registry.SetIdleTimeout(TimeSpan.FromSeconds(seconds));
        }
        if (settings.ViewportMode is { } viewportMode)
        {
            viewport.SetMode(viewportMode);
        }
    }

    /// <summary>
    /// The participant acting, when it is connected; an owner who only uses the API (the orchestrator checked the role)
    /// acts as the operator.
    /// </summary>
    private static string? Actor(HttpContext context, ParticipantRegistry registry) =>
        ParticipantHeaders.ParticipantOf(context.Request) is { } id && registry.RoleOf(id) is not null ? id : null;

    private static object ControlView(ParticipantRegistry registry, ViewportFollower viewport)
    {
        var (_, control) = registry.Describe();
        return new
        {
            control.Mode, control.Holder, control.Controllers, control.Requests, control.IdleTimeoutMs, viewportMode = viewport.Mode,
            viewport = new { width = viewport.Width, height = viewport.Height },
        };
    }

    private static object Describe(ParticipantRegistry registry, ViewportFollower viewport) =>
        new { participants = registry.Describe().Participants, control = ControlView(registry, viewport) };

    private static IResult Problem(int status, string code, string detail) => Results.Problem(detail: detail, statusCode: status,
        title: status switch { 400 => "Invalid request", 403 => "Forbidden", 404 => "Not found", _ => "Not possible now" },
        extensions: new Dictionary<string, object?> { ["code"] = code });

    private static async Task<IResult> RunAsync(HttpContext context, string? participantId, Func<CancellationToken, Task<IResult>> action)
    {
        if (participantId is not null && !ParticipantHeaders.IsValidId(participantId))
        {
            return Problem(400, "invalid_participant_id", "not a participant id");
        }
        try
        {
            return await action(context.RequestAborted);
        }
        catch (ControlRefusedException ex)
        {
            return Problem(ex.Status, ex.Code, ex.Message);
        }
        catch (ControlApi.BadBodyException ex)
        {
            return Problem(400, ex.Code, ex.Message);
        }
    }
}
