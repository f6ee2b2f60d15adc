using BrowserIsolation.Orchestrator.Auth;
using BrowserIsolation.Orchestrator.Sessions;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Apis;

public static class TokensApi
{
    /// <param name="Role">owner, controller or viewer (default viewer).</param>
    /// <param name="DisplayName">shown to the other participants.</param>
    /// <param name="ParticipantId">a new token for someone already in the session (e.g. before theirs expires).</param>
    /// <param name="TtlSeconds">lifetime; default <c>Auth:TokenLifetime</c>.</param>
    public sealed record TokenRequest(string? Role, string? DisplayName, string? ParticipantId, int? TtlSeconds);

    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/sessions/{id}/tokens", IssueAsync).WithTags("Sessions").WithName("IssueJoinToken").WithSummary("Issue a join token and link").WithAccess(ApiAccess.Manage);
        return app;
    }

    private static async Task<IResult> IssueAsync(string id, HttpContext context, JoinTokenIssuer issuer, IOptions<SessionLimits> limits,
        CancellationToken cancellationToken)
    {
        TokenRequest request;
        if (context.Request.ContentLength is null or 0 && !context.Request.Headers.TransferEncoding.Any())
        {
            request = new TokenRequest(null, null, null, null);
        }
        else
        {
            var body = await RequestBody.ReadJsonAsync<TokenRequest>(context.Request, limits.Value.MaxBodyBytes, cancellationToken);
            if (body.Problem is not null)
            {
                return body.Problem;
            }
            request = body.Value!;
        }
        var role = request.Role?.Trim().ToLowerInvariant() ?? Roles.Viewer;
        if (!Roles.IsValid(role))
        {
            return Problems.BadRequest("invalid_role", "'role' must be owner, controller or viewer");
        }
        if (request.DisplayName is { Length: > 256 })
        {
            return Problems.BadRequest("invalid_display_name", $"'displayName' is limited to {JoinTokenIssuer.MaxDisplayNameLength} characters");
        }
        if (request.ParticipantId is { } pid && (pid.Length > 64 || pid.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-')))
        {
            return Problems.BadRequest("invalid_participant_id", "'participantId' is not a participant id");
        }
        if (request.TtlSeconds is <= 0)
        {
            return Problems.BadRequest("invalid_lifetime", "'ttlSeconds' must be positive");
        }
        // An owner may invite controllers and viewers and renew its own token; owners are made with an API key.
        string? inviter = null;
        if (context.GetCaller() is { Kind: CallerKind.Participant, Participant: { } self })
        {
            inviter = self.ParticipantId;
            var renewal = request.ParticipantId == self.ParticipantId && role == self.Role;
            if (!renewal && role is not (Roles.Viewer or Roles.Controller))
            {
                return Problems.Create(403, "role_forbidden", "Forbidden", "an owner may invite controllers and viewers; owners are invited with an API key");
            }
        }
        var (token, problem) = await issuer.IssueAsync(id,
            new JoinTokenIssuer.Request(role, JoinTokenIssuer.CleanDisplayName(request.DisplayName), request.ParticipantId,
                request.TtlSeconds is { } ttl ? TimeSpan.FromSeconds(Math.Min(ttl, 10L * 365 * 24 * 3600)) : null, inviter),
            context.Request, cancellationToken);
        return problem ?? Results.Created($"/api/sessions/{id}", token);
    }
}
