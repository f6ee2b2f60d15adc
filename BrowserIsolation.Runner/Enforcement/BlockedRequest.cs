namespace BrowserIsolation.Runner.Enforcement;

/// <summary>A request the policy refused. <see cref="FrameId"/> is the tab's target id when the tab's own page was blocked.</summary>
public sealed record BlockedRequest(string Url, string Reason, string ResourceType, string? FrameId)
{
    public bool IsDocument => ResourceType == "Document";
}
