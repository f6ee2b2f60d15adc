namespace BrowserIsolation.Orchestrator.Participants;

/// <summary>
/// Configuration section <c>CoBrowse</c>: how several participants share a session's browser, sent to each runner with
/// its assignment (owners change it per session with <c>PUT /api/sessions/{id}/control</c>).
/// </summary>
public sealed class CoBrowseOptions
{
    public const string Section = "CoBrowse";

    /// <summary><c>exclusive</c> (one participant drives at a time) or <c>shared</c> (every controller at once).</summary>
    public string ControlMode { get; set; } = "exclusive";

    /// <summary>Control passes on after this long without input from its holder; 0 turns that off.</summary>
    public TimeSpan ControlIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A participant whose connection dropped keeps its place (and control) this long.</summary>
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary><c>fixed</c> (the session's size) or <c>follow-owner</c> (the owner's window size).</summary>
    public string ViewportMode { get; set; } = "fixed";

    /// <summary>Largest upload into a page's file chooser.</summary>
    public long MaxUploadBytes { get; set; } = 50L * 1024 * 1024;

    public object ToAssignment() => new
    {
        mode = ControlMode.Trim().ToLowerInvariant(),
        idleTimeoutSeconds = Math.Max(0, ControlIdleTimeout.TotalSeconds),
        reconnectGraceSeconds = Math.Max(0, ReconnectGrace.TotalSeconds),
        viewportMode = ViewportMode.Trim().ToLowerInvariant(),
        maxUploadBytes = MaxUploadBytes,
    };

    /// <summary>The settings' problems, for a refusal at start-up.</summary>
    public IEnumerable<string> Validate()
    {
        if (ControlMode.Trim().ToLowerInvariant() is not ("exclusive" or "shared"))
        {
            yield return "CoBrowse:ControlMode must be exclusive or shared";
        }
        if (ViewportMode.Trim().ToLowerInvariant() is not ("fixed" or "follow-owner"))
        {
            yield return "CoBrowse:ViewportMode must be fixed or follow-owner";
        }
        if (ControlIdleTimeout < TimeSpan.Zero || ControlIdleTimeout > TimeSpan.FromDays(1))
        {
            yield return "CoBrowse:ControlIdleTimeout must be between 0 (off) and one day";
        }
        if (ReconnectGrace < TimeSpan.Zero || ReconnectGrace > TimeSpan.FromHours(1))
        {
            yield return "CoBrowse:ReconnectGrace must be between 0 and one hour";
        }
        if (MaxUploadBytes is < 1 or > 4L * 1024 * 1024 * 1024)
        {
            yield return "CoBrowse:MaxUploadBytes must be between 1 byte and 4 GiB";
        }
    }
}
