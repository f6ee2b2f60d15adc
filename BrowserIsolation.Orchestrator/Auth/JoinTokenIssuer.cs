using System.Security.Cryptography;
using BrowserIsolation.Orchestrator.Apis;
using BrowserIsolation.Orchestrator.Sessions;
using BrowserIsolation.Orchestrator.Store;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>A join token as handed out: the token, a link that opens the Web UI straight into the session, and what it grants.</summary>
public sealed record JoinTokenView(string Token, string JoinUrl, DateTimeOffset ExpiresAt, string Role, string ParticipantId, string DisplayName);

/// <summary>
/// Issues join tokens and records their participants in the session (atomically, so the per-session limit holds
/// across replicas with a shared store).
/// </summary>
public sealed class JoinTokenIssuer(
    ISessionStore store,
    JoinTokens tokens,
    IOptions<AuthOptions> authOptions,
    IOptions<SessionLimits> sessionLimits,
    TimeProvider time)
{
    public const int MaxDisplayNameLength = 64;

    /// <param name="Inviter">the participant asking (an owner), or null for an API key holder.</param>
    public sealed record Request(string Role, string? DisplayName, string? ParticipantId, TimeSpan? Lifetime, string? Inviter = null);

    public async Task<(JoinTokenView? Token, IResult? Problem)> IssueAsync(string sessionId, Request request, HttpRequest http,
        CancellationToken cancellationToken)
    {
        var auth = authOptions.Value;
        var lifetime = request.Lifetime ?? auth.TokenLifetime ?? sessionLimits.Value.MaxLifetime;
        if (lifetime <= TimeSpan.Zero || lifetime > auth.MaxTokenLifetime)
        {
            return (null, Problems.BadRequest("invalid_lifetime", $"a token lives between 1 s and {auth.MaxTokenLifetime.TotalSeconds:0} s"));
        }
        var now = time.GetUtcNow();
        IResult? problem = null;
        Participant? participant = null;
        var updated = await store.UpdateAsync(sessionId, s =>
        {
            problem = null;
            if (!s.IsActive)
            {
                problem = Problems.SessionEnded(sessionId, s.Status.ToString().ToLowerInvariant());
                return null;
            }
            if (s.TokensIssued >= auth.MaxTokensPerSession)
            {
                problem = Problems.Create(429, "token_limit", "Too many tokens",
                    $"a session hands out at most {auth.MaxTokensPerSession} join tokens (Auth:MaxTokensPerSession)");
                return null;
            }
            var existing = request.ParticipantId is null ? null : s.Participants.FirstOrDefault(p => p.ParticipantId == request.ParticipantId);
            if (request.ParticipantId is not null && existing is null)
            {
                problem = Problems.Create(404, "participant_not_found", "Participant not found", "there is no such participant in this session");
                return null;
            }
            if (existing is { Role: Roles.Owner } && request.Inviter is not null && existing.ParticipantId != request.Inviter)
            {
                problem = Problems.Create(403, "role_forbidden", "Forbidden", "an owner's tokens are issued by its owner or with an API key");
                return null;
            }
            if (existing is { Revoked: true })
            {
                problem = Problems.Create(409, "participant_removed", "Participant removed", "this participant was removed from the session");
                return null;
            }
            participant = existing is null
                ? new Participant(NewParticipantId(), request.DisplayName ?? DefaultName(request.Role), request.Role, now)
                : existing with { Role = request.Role, DisplayName = request.DisplayName ?? existing.DisplayName };
            var others = s.Participants.Where(p => p.ParticipantId != participant.ParticipantId);
            return s with { Participants = [.. others, participant], TokensIssued = s.TokensIssued + 1 };
        }, cancellationToken);
        if (updated is null)
        {
            return (null, Problems.SessionNotFound(sessionId));
        }
        if (problem is not null || participant is null)
        {
            return (null, problem ?? Problems.SessionNotFound(sessionId));
        }
        var expires = now + lifetime;
        var token = tokens.Issue(new JoinTokenClaims(sessionId, participant.ParticipantId, participant.DisplayName, participant.Role,
            now.ToUnixTimeSeconds(), expires.ToUnixTimeSeconds()));
        return (new JoinTokenView(token, JoinUrl(sessionId, token, http), DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()),
            participant.Role, participant.ParticipantId, participant.DisplayName), null);
    }

    /// <summary>The Web UI's deep link: <c>/?session=&lt;id&gt;&amp;token=&lt;token&gt;</c>.</summary>
    public string JoinUrl(string sessionId, string token, HttpRequest http)
    {
        var configured = authOptions.Value.PublicBaseUrl;
        var baseUrl = string.IsNullOrWhiteSpace(configured) ? $"{http.Scheme}://{http.Host}{http.PathBase}" : configured.TrimEnd('/');
        return $"{baseUrl}/?session={Uri.EscapeDataString(sessionId)}&token={Uri.EscapeDataString(token)}";
    }

    /// <summary>Trimmed, control characters removed, at most <see cref="MaxDisplayNameLength"/>; null when nothing is left.</summary>
    public static string? CleanDisplayName(string? name)
    {
        if (name is null)
        {
            return null;
        }
        var cleaned = new string([.. name.Where(c => !char.IsControl(c))]).Trim();
        return cleaned.Length == 0 ? null : cleaned.Length > MaxDisplayNameLength ? cleaned[..MaxDisplayNameLength] : cleaned;
    }

    private static string DefaultName(string role) => role switch { Roles.Owner => "Owner", Roles.Controller => "Guest", _ => "Viewer" };

    private static string NewParticipantId() => "p-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
