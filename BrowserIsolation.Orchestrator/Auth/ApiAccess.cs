namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>Who may call an endpoint, from least to most privileged; declared next to each <c>Map...</c>.</summary>
public enum ApiAccess
{
    /// <summary>Anyone: the UI's pages, health, the OpenAPI document.</summary>
    Public,

    /// <summary>Read the session, its tabs, its policy, its participants: any participant of that session.</summary>
    View,

    /// <summary>The WebSocket, WebRTC offer and ICE servers: any participant, and only with a join token when auth is on.</summary>
    Stream,

    /// <summary>Drive the browser (navigate, history, tabs, uploads): controllers and owners.</summary>
    Control,

    /// <summary>Invite (issue tokens), reset, end the session, manage participants and control: owners.</summary>
    Manage,

    /// <summary>Create and list sessions, change policies, the pool: API key holders only.</summary>
    Operator,
}

/// <summary>The endpoint metadata behind <see cref="ApiAccess"/>: read by authorization, the OpenAPI document and the tests.</summary>
public sealed record ApiAccessRule(ApiAccess Access)
{
    /// <summary>The authorization policy that enforces the rule (none for <see cref="ApiAccess.Public"/>).</summary>
    public string PolicyName => "access:" + Access.ToString().ToLowerInvariant();

    /// <summary>The session the rule is about is the route value of this name.</summary>
    public const string SessionRouteValue = "id";

    /// <summary>The weakest participant role allowed; null when only an API key will do (or anyone, for Public).</summary>
    public string? MinimumRole => Access switch
    {
        ApiAccess.View or ApiAccess.Stream => Roles.Viewer,
        ApiAccess.Control => Roles.Controller,
        ApiAccess.Manage => Roles.Owner,
        _ => null,
    };
}
