namespace BrowserIsolation.Orchestrator.Apis;

/// <summary>RFC 7807 problems with a stable machine-readable <c>code</c> beside the human title and detail.</summary>
public static class Problems
{
    public static IResult Create(int status, string code, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["code"] = code });

    public static IResult BadRequest(string code, string detail) => Create(400, code, "Invalid request", detail);

    public static IResult SessionNotFound(string id) =>
        Create(404, "session_not_found", "Session not found", $"there is no session '{Truncate(id)}'");

    public static IResult PayloadTooLarge(int limit) =>
        Create(413, "payload_too_large", "Request body too large", $"the body is limited to {limit} bytes");

    public static IResult SessionNotReady(string id, string status) =>
        Create(409, "session_not_ready", "Session not ready", $"session '{id}' is {status}");

    public static IResult SessionEnded(string id, string status) =>
        Create(410, "session_ended", "Session ended", $"session '{id}' is {status}");

    public static IResult RunnerUnavailable(string detail) => Create(502, "runner_unavailable", "Browser unavailable", detail);

    private static string Truncate(string s) => s.Length > 64 ? s[..64] + "…" : s;
}
