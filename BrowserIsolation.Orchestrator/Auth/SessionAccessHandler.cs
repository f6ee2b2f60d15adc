using BrowserIsolation.Orchestrator.Store;
using Microsoft.AspNetCore.Authorization;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>The requirement of an endpoint's <see cref="ApiAccessRule"/>.</summary>
public sealed record ApiAccessRequirement(ApiAccessRule Rule) : IAuthorizationRequirement;

/// <summary>Why a request was refused, as the problem it is answered with (401s also carry <c>WWW-Authenticate</c>).</summary>
public sealed class AccessRefusal(IAuthorizationHandler handler, int status, string code, string detail, IResult? problem = null)
    : AuthorizationFailureReason(handler, detail)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public IResult Problem { get; } = problem ?? Apis.Problems.Create(status, code, status == 401 ? "Unauthorized" : "Forbidden", detail);
}

/// <summary>
/// Decides an <see cref="ApiAccessRule"/> after routing, from the route's session id: API keys may do everything except
/// stream (that needs a join token when auth is on); a join token works only for its own session, only while its
/// participant is not revoked (checked in the store), and only up to the role the session currently gives that participant.
/// </summary>
public sealed class SessionAccessHandler(ApiKeys apiKeys, ISessionStore store) : AuthorizationHandler<ApiAccessRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, ApiAccessRequirement requirement)
    {
        if (context.Resource is not HttpContext http)
        {
            context.Fail(new AccessRefusal(this, 403, "forbidden", "no request to decide on"));
            return;
        }
        var rule = requirement.Rule;
        var stream = rule.Access == ApiAccess.Stream;
        var caller = http.GetCaller();
        switch (caller?.Kind)
        {
            case null or CallerKind.Anonymous:
                context.Fail(stream
                    ? new AccessRefusal(this, 401, "join_token_required", "a join token for this session is required (Authorization: Bearer, or ?token= on the WebSocket)")
                    : new AccessRefusal(this, 401, "api_key_required", "an API key is required (Authorization: Bearer <key>)"));
                return;
            case CallerKind.Operator when stream && apiKeys.Enabled:
                context.Fail(new AccessRefusal(this, 401, "join_token_required",
                    "streaming needs a join token for this session, not an API key: issue one with POST /api/sessions/{id}/tokens"));
                return;
            case CallerKind.Operator:
                context.Succeed(requirement);
                return;
        }

        var claims = caller.Token!;
        var sessionId = http.GetRouteValue(ApiAccessRule.SessionRouteValue) as string;
        if (rule.MinimumRole is not { } minimum || sessionId is null)
        {
            context.Fail(new AccessRefusal(this, 403, "api_key_required", "this needs an API key; a join token is not enough"));
            return;
        }
        if (!string.Equals(claims.SessionId, sessionId, StringComparison.Ordinal))
        {
            context.Fail(new AccessRefusal(this, 403, "token_for_other_session", "the join token is for another session"));
            return;
        }
        var session = await store.GetAsync(sessionId, http.RequestAborted);
        var participant = session?.Participants.FirstOrDefault(p => p.ParticipantId == claims.ParticipantId);
        if (session is null)
        {
            context.Fail(new AccessRefusal(this, 404, "session_not_found", "no such session", Apis.Problems.SessionNotFound(sessionId)));
        }
        else if (participant is null || participant.Revoked)
        {
            context.Fail(new AccessRefusal(this, 401, "token_revoked", "this participant was removed from the session"));
        }
        else if (Roles.Rank(participant.Role) < Roles.Rank(minimum))
        {
            context.Fail(new AccessRefusal(this, 403, "role_forbidden", $"a {participant.Role} may not do this; it needs the {minimum} role or higher"));
        }
        else
        {
            http.SetCaller(caller with { Participant = participant });
            context.Succeed(requirement);
        }
    }
}
