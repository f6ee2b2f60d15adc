namespace BrowserIsolation.Runner.Participants;

/// <summary>Who is in the session right now, as <see cref="ControlState"/> sees it.</summary>
public interface IRoster
{
    /// <summary>The participant's current role, or null when it is not in the session.</summary>
    string? RoleOf(string participantId);

    /// <summary>Participants in the session, in the order they joined.</summary>
    IEnumerable<string> Present { get; }
}
