namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>What a request does to a session, from least to most powerful.</summary>
public enum SessionPermission
{
    /// <summary>Read the session, its tabs, its policy, its participants: any participant.</summary>
    View,

    /// <summary>The WebSocket, WebRTC offer and ICE servers: any participant, and only with a join token when auth is on.</summary>
    Stream,

    /// <summary>Drive the browser (navigate, history, tabs): controllers and owners.</summary>
    Control,

    /// <summary>Invite (issue tokens), reset, end the session, manage participants: owners.</summary>
    Manage,

    /// <summary>Create and list sessions, change policies, and anything not listed: API key holders only.</summary>
    Administer,
}

/// <summary>
/// The access table for every API path, in one place so that an endpoint added later is covered by default
/// (it needs an API key until it is listed here).
/// </summary>
public static class SessionAccess
{
    public sealed record Rule(SessionPermission Permission, string? SessionId);

    /// <summary>The rule for a request, or null when the path is not part of the API (static files, health).</summary>
    public static Rule? For(string method, PathString path)
    {
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["ws", "sessions", var wsSession, ..])
        {
            return new Rule(SessionPermission.Stream, wsSession);
        }
        if (segments is not ["api", ..])
        {
            return segments is ["ws", ..] ? new Rule(SessionPermission.Administer, null) : null;
        }
        if (segments is not ["api", "sessions", var id, .. var rest])
        {
            return new Rule(SessionPermission.Administer, null);
        }
        var read = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        var permission = rest switch
        {
            [] when read => SessionPermission.View,
            [] when HttpMethods.IsDelete(method) => SessionPermission.Manage,
            ["offer" or "ice", ..] => SessionPermission.Stream,
            ["navigate" or "back" or "forward" or "reload"] => SessionPermission.Control,
            ["tabs", ..] => read ? SessionPermission.View : SessionPermission.Control,
            ["reset"] or ["tokens"] => SessionPermission.Manage,
            ["participants", ..] => read ? SessionPermission.View : SessionPermission.Manage,
            ["control"] => read ? SessionPermission.View : SessionPermission.Manage,
            ["uploads", _] => SessionPermission.Control,
            ["policy"] when read => SessionPermission.View,
            _ => SessionPermission.Administer,
        };
        return new Rule(permission, id);
    }

    /// <summary>The weakest role allowed; Administer has none (API keys only).</summary>
    public static string? MinimumRole(SessionPermission permission) => permission switch
    {
        SessionPermission.View or SessionPermission.Stream => Roles.Viewer,
        SessionPermission.Control => Roles.Controller,
        SessionPermission.Manage => Roles.Owner,
        _ => null,
    };
}
