namespace BrowserIsolation.Orchestrator.Store;

/// <summary>
/// Configuration section <c>Store</c>. The Redis store itself is selected by <c>ConnectionStrings:sessions</c>
/// (Aspire's format: <c>host:port[,password=...][,ssl=true]</c>).
/// </summary>
public sealed class StoreOptions
{
    public const string Section = "Store";

    public const string ConnectionStringName = "sessions";

    /// <summary>Prefix of every key and channel, so several deployments can share one Redis.</summary>
    public string Deployment { get; set; } = "default";

    /// <summary>Longest a store call may take before the API answers 503 (Redis hung or unreachable).</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>How long one connection attempt to Redis may take; the client keeps retrying in the background.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Status changes kept per session in its event list.</summary>
    public int EventsPerSession { get; set; } = 50;
}
