namespace BrowserIsolation.Runner.Control;

/// <summary>A control request that cannot be done; becomes a problem with this status and code.</summary>
public sealed class ControlException(int status, string code, string message, IReadOnlyDictionary<string, object?>? extensions = null)
    : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public IReadOnlyDictionary<string, object?> Extensions { get; } = extensions ?? new Dictionary<string, object?>();
}
