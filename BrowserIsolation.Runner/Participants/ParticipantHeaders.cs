namespace BrowserIsolation.Runner.Participants;

/// <summary>
/// The orchestrator names the participant behind a forwarded API call (join token holders) in this header; a call
/// without it comes from an API key holder, the operator. Only the orchestrator can reach the runner (runner token).
/// </summary>
public static class ParticipantHeaders
{
    public const string Participant = "X-BI-Participant";

    /// <summary>The role the session gives that participant now (it may use the API without being connected).</summary>
    public const string Role = "X-BI-Participant-Role";

    public static string? ParticipantOf(HttpRequest request) =>
        request.Headers[Participant].ToString() is { Length: > 0 and <= 64 } id ? id : null;

    public static string RoleOf(HttpRequest request) =>
        request.Headers[Role].ToString() is var role && ParticipantRoles.IsValid(role) ? role : ParticipantRoles.Viewer;

    public static bool IsValidId(string id) => id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
