namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>Configuration section <c>Auth</c>: who may use the API and how join tokens work.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// Integrators' API keys (<c>Authorization: Bearer &lt;key&gt;</c>). None means auth is off: the server then listens on
    /// loopback only and anyone who can reach it is an operator.
    /// </summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>
    /// HMAC-SHA256 key for join tokens (at least 32 characters). Unset means a random key per process: tokens then die
    /// with the process, and several replicas MUST share one configured key.
    /// </summary>
    public string? TokenSigningKey { get; set; }

    /// <summary>Default lifetime of a join token; unset means the session's maximum lifetime.</summary>
    public TimeSpan? TokenLifetime { get; set; }

    /// <summary>Longest lifetime a caller may ask for.</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Join tokens one session may hand out (its owner token included).</summary>
    public int MaxTokensPerSession { get; set; } = 50;

    /// <summary>Active sessions one API key may hold at once; 0 means only <c>Sessions:MaxSessions</c> applies.</summary>
    public int MaxSessionsPerApiKey { get; set; }

    /// <summary>
    /// Browser origins (<c>https://app.example.com</c>) allowed to open WebSockets and call the API besides the server's
    /// own origin. This is what stops cross-site WebSocket hijacking. Embedders' pages go here.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Base of <c>joinUrl</c>s (the Web UI as users reach it); unset means the origin of the request.</summary>
    public string? PublicBaseUrl { get; set; }

    public bool Enabled => ApiKeys.Any(k => !string.IsNullOrWhiteSpace(k));
}
