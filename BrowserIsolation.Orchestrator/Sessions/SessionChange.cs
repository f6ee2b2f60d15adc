namespace BrowserIsolation.Orchestrator.Sessions;

/// <summary>A session's new state, raised on every replica (local changes and the store's pub/sub alike).</summary>
public sealed record SessionChange(string SessionId, SessionStatus Status);
