namespace BrowserIsolation.Runner.Participants;

/// <summary>
/// Configuration section <c>CoBrowse</c>: how several participants share the browser. The orchestrator sends its own
/// <c>CoBrowse</c> settings with each assignment, so these defaults matter for a runner started on its own.
/// </summary>
public sealed class CoBrowseOptions
{
    public const string Section = "CoBrowse";

    public ControlMode ControlMode { get; set; } = ControlMode.Exclusive;

    /// <summary>The holder's control passes on after this long without input; zero turns the timeout off.</summary>
    public TimeSpan ControlIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A participant whose last connection dropped keeps its place (and control) this long.</summary>
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary><c>fixed</c>, or <c>follow-owner</c>: the remote viewport takes the size of the owner's window.</summary>
    public ViewportMode ViewportMode { get; set; } = ViewportMode.Fixed;

    /// <summary>Pointer positions shared with the others per participant and second.</summary>
    public int CursorRate { get; set; } = 30;

    /// <summary>Largest file (all files of one upload together) a participant may upload into a file chooser.</summary>
    public long MaxUploadBytes { get; set; } = 50L * 1024 * 1024;
}
