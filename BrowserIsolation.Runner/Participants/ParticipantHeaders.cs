namespace BrowserIsolation.Runner.Participants;

/// <summary>
/// The orchestrator names the participant behind a forwarded API call (join token holders) in this header; a call
/// without it comes from an API key holder, the operator. Only the orchestrator can reach the runner (runner token).
/// </summary>
public static class ParticipantHeaders
{
    public const string Participant = "X-BI-Participant";

    public static string? ParticipantOf(HttpRequest request) =>
        request.Headers[Participant].ToString() is { Length: > 0 and <= 64 } id ? id : null;

    public static bool IsValidId(string id) => id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
