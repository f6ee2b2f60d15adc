using System.Text.Json.Serialization;

namespace BrowserIsolation.Runner.Participants;

/// <summary>The shapes of the co-browsing events (docs/protocol.md, "Co-browsing").</summary>
public static class ParticipantMessages
{
    public sealed record ParticipantView(
        string ParticipantId, string Name, string Role, string Color, bool Connected, int Connections, bool Control, bool Requested,
        DateTimeOffset JoinedAt, QualityView? Quality, bool Hearing);

    public sealed record QualityView(string ParticipantId, string Transport, double Fps, double Kbps, double? RttMs, DateTimeOffset ReportedAt);

    /// <summary>Control as everyone sees it; <c>holder</c> is null (written, not left out) while nobody holds it.</summary>
    public sealed record ControlView(
        ControlMode Mode, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Holder, IReadOnlyList<string> Controllers,
        IReadOnlyList<string> Requests, long IdleTimeoutMs);

    public sealed record ControlEventView(
        string Type, ControlMode Mode, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Holder, IReadOnlyList<string> Controllers,
        IReadOnlyList<string> Requests, long IdleTimeoutMs, ControlChange Change);

    public static QualityView? Quality(Participant p) =>
        p.Quality is { } q ? new QualityView(p.Id, q.Transport, q.Fps, q.Kbps, q.RttMs, q.ReportedAt) : null;

    public static object Snapshot(IReadOnlyList<ParticipantView> participants, ControlView control) =>
        new { type = "participants", participants, control };

    public static object Joined(ParticipantView participant) => new { type = "joined", participant };

    public static object Left(Participant p, string reason) => new { type = "left", participantId = p.Id, name = p.Name, reason };

    public static object ControlEvent(ControlView control, ControlChange change) =>
        new ControlEventView("control", control.Mode, control.Holder, control.Controllers, control.Requests, control.IdleTimeoutMs, change);

    public static object Removed() => new { type = "removed", message = "An owner removed you from this session." };
}
