using BrowserIsolation.Runner.Clients;

namespace BrowserIsolation.Runner.Participants;

/// <summary>
/// One person in the session, however many connections (tabs, reconnects) they have. Kept for a grace period after
/// the last connection drops, so a reconnect finds its place (and control) again. Guarded by the registry's lock.
/// </summary>
public sealed class Participant(string id, string name, string role, string color, DateTimeOffset joinedAt)
{
    public string Id { get; } = id;

    public string Name { get; set; } = name;

    public string Role { get; set; } = role;

    public string Color { get; } = color;

    public DateTimeOffset JoinedAt { get; } = joinedAt;

    public List<ClientConnection> Connections { get; } = [];

    /// <summary>When the last connection dropped; null while connected.</summary>
    public DateTimeOffset? DisconnectedAt { get; set; }

    /// <summary>Last input accepted from this participant, or when it got control (the idle timeout counts from there).</summary>
    public DateTimeOffset LastInputAt { get; set; }

    public ConnectionQuality? Quality { get; set; }

    public bool Connected => Connections.Count > 0;

    /// <summary>Some connection of this participant plays the session's sound (its client says so).</summary>
    public bool Hearing => Connections.Any(c => c.Hearing);
}
