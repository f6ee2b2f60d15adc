using BrowserIsolation.Orchestrator.Apis;
using BrowserIsolation.Orchestrator.Store;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>
/// Applies <see cref="SessionAccess"/>: API keys may do everything except stream (that needs a join token when auth is on);
/// a join token works only for its own session, only while its participant is not revoked, and only up to the role the
/// session currently gives that participant.
/// </summary>
public sealed class SessionAccessMiddleware(RequestDelegate next, ApiKeys apiKeys, ISessionStore store)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (SessionAccess.For(context.Request.Method, context.Request.Path) is not { } rule || context.GetCaller() is not { } caller)
        {
            await next(context);
            return;
        }
        switch (caller.Kind)
        {
            case CallerKind.Anonymous:
                await CallerMiddleware.Unauthorized(context, rule.Permission == SessionPermission.Stream ? "join_token_required" : "api_key_required",
                    rule.Permission == SessionPermission.Stream
                        ? "a join token for this session is required (Authorization: Bearer, or ?token= on the WebSocket)"
                        : "an API key is required (Authorization: Bearer <key>)");
                return;
            case CallerKind.Operator when rule.Permission == SessionPermission.Stream && apiKeys.Enabled:
                await CallerMiddleware.Unauthorized(context, "join_token_required",
                    "streaming needs a join token for this session, not an API key: issue one with POST /api/sessions/{id}/tokens");
                return;
            case CallerKind.Operator:
                await next(context);
                return;
        }

        var claims = caller.Token!;
        if (SessionAccess.MinimumRole(rule.Permission) is not { } minimum || rule.SessionId is null)
        {
            await Forbidden(context, "api_key_required", "this needs an API key; a join token is not enough");
            return;
        }
        if (!string.Equals(claims.SessionId, rule.SessionId, StringComparison.Ordinal))
        {
            await Forbidden(context, "token_for_other_session", "the join token is for another session");
            return;
        }
        var session = await store.GetAsync(rule.SessionId, context.RequestAborted);
        if (session is null)
        {
            await Problems.SessionNotFound(rule.SessionId).ExecuteAsync(context);
            return;
        }
        var participant = session.Participants.FirstOrDefault(p => p.ParticipantId == claims.ParticipantId);
        if (participant is null || participant.Revoked)
        {
            await CallerMiddleware.Unauthorized(context, "token_revoked", "this participant was removed from the session");
            return;
        }
        if (Roles.Rank(participant.Role) < Roles.Rank(minimum))
        {
            await Forbidden(context, "role_forbidden", $"a {participant.Role} may not do this; it needs the {minimum} role or higher");
            return;
        }
        context.SetCaller(caller with { Participant = participant });
        await next(context);
    }

    private static Task Forbidden(HttpContext context, string code, string detail) =>
        Problems.Create(StatusCodes.Status403Forbidden, code, "Forbidden", detail).ExecuteAsync(context);
}
