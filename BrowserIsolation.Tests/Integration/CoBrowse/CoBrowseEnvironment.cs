using BrowserIsolation.Tests.Fixtures;
using BrowserIsolation.Tests.Integration.Security;

namespace BrowserIsolation.Tests.Integration.CoBrowse;

/// <summary>An orchestrator with authentication on (so every participant has its own join token) and the content site.</summary>
public sealed class CoBrowseEnvironment() : AuthenticatedEnvironment(ApiKey, SigningKey,
    // Short enough for tests to see a departure; long enough to ride out a reconnect.
    new Dictionary<string, string> { ["CoBrowse__ReconnectGrace"] = "00:00:03" })
{
    public const string ApiKey = "cobrowse-api-key-0123456789abcdef";
    public const string SigningKey = "cobrowse-signing-key-0123456789abcdef-0123456789";

    /// <summary>A page that turns blue where it is pressed and counts presses in its title.</summary>
    public string ClickPage() => Site.Page("/cobrowse-click", """
        <!doctype html><title>presses:0</title>
        <body style='margin:0;height:100vh;background:rgb(255,0,0)'
              onmousedown="document.body.style.background='rgb(0,0,255)';document.title='presses:'+(++window.n||(window.n=1))"></body>
        """);

    /// <summary>A session with an owner, a controller and a viewer token: (id, owner, controller, viewer).</summary>
    public async Task<(string Id, string Owner, string Controller, string Viewer)> MeetingAsync(string url)
    {
        var (id, owner) = await Api.CreateReadyAsync(url, ApiKey);
        var controller = (await Api.IssueTokenAsync(id, owner, new { role = "controller", displayName = "Ann" })).GetProperty("token").GetString()!;
        var viewer = (await Api.IssueTokenAsync(id, owner, new { role = "viewer", displayName = "Val" })).GetProperty("token").GetString()!;
        return (id, owner, controller, viewer);
    }
}
