namespace BrowserIsolation.Runner.Participants;

/// <summary>Roles as the orchestrator passes them (weakest first): a viewer watches, a controller may drive, an owner manages.</summary>
public static class ParticipantRoles
{
    public const string Viewer = "viewer";
    public const string Controller = "controller";
    public const string Owner = "owner";

    public static bool IsValid(string? role) => role is Viewer or Controller or Owner;

    /// <summary>Controllers and owners may hold control; viewers never.</summary>
    public static bool MayControl(string? role) => role is Controller or Owner;
}
