namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>Participant roles, weakest first: a viewer watches, a controller also drives the browser, an owner also manages.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Controller = "controller";
    public const string Owner = "owner";

    public static bool IsValid(string? role) => role is Viewer or Controller or Owner;

    public static int Rank(string? role) => role switch { Owner => 3, Controller => 2, Viewer => 1, _ => 0 };
}
