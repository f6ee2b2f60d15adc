namespace BrowserIsolation.Orchestrator.Sessions;

/// <summary>
/// Someone a join token was issued for. The stored role wins over the token's (roles can change after issue), and a
/// revoked participant's tokens stop working at once, on every replica.
/// </summary>
public sealed record Participant(string ParticipantId, string DisplayName, string Role, DateTimeOffset CreatedAt, bool Revoked = false);
