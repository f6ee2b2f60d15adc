namespace BrowserIsolation.Runner.Policy;

/// <summary>The URL policy's answer. <see cref="Rule"/> is the allow/block pattern that decided, if one did.</summary>
public readonly record struct PolicyDecision(bool Allowed, string Reason, string? Rule = null)
{
    public static PolicyDecision Allow(string reason, string? rule = null) => new(true, reason, rule);

    public static PolicyDecision Block(string reason, string? rule = null) => new(false, reason, rule);
}
