namespace BrowserIsolation.Runner.Browser;

/// <summary>A page target we are attached to (flattened CDP session).</summary>
public sealed class BrowserTab(string targetId, string sessionId)
{
    public string TargetId { get; } = targetId;

    public string SessionId { get; } = sessionId;

    public string Url { get; set; } = "about:blank";

    public string Title { get; set; } = "";

    public DateTimeOffset OpenedAt { get; } = DateTimeOffset.UtcNow;
}

public sealed record TabInfo(string TabId, string Url, string Title, bool Active);
