using System.Text.Json.Serialization;

namespace BrowserIsolation.Runner.Participants;

/// <summary>
/// What a control operation did, for the <c>control</c> event: <c>granted</c> (request while free, or a grant),
/// <c>requested</c>, <c>cancelled</c>, <c>denied</c>, <c>taken</c> (an owner took it), <c>released</c>, <c>revoked</c>,
/// <c>idle</c> (the idle timeout handed it on), <c>left</c> (its holder left or lost the role), <c>mode</c>.
/// </summary>
/// <param name="ParticipantId">whom it concerns (the new holder for granted/taken/idle/left when there is one).</param>
/// <param name="By">who did it; null when the server did (idle timeout, departure).</param>
/// <param name="Previous">the holder before, when it changed.</param>
public sealed record ControlChange(
    string Action,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ParticipantId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? By,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Previous = null);
