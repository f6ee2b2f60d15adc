namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// Configuration section <c>Policy:Egress</c>. Precedence when judging an address: <see cref="DenyCidrs"/>; the
/// always-refused ranges (unspecified, multicast, broadcast); <see cref="AllowHostPorts"/>; this host's own addresses
/// (<see cref="DenyLocalInterfaces"/>); <see cref="AllowCidrs"/>; the special-purpose ranges; otherwise allowed.
/// </summary>
public sealed class EgressOptions
{
    public const string SectionName = "Policy:Egress";

    /// <summary>CIDRs (or single addresses) the browser may reach although they are special-purpose, e.g. <c>127.0.0.2/32</c>.</summary>
    public List<string> AllowCidrs { get; set; } = [];

    /// <summary>
    /// <c>address:port</c> or <c>name:port</c> pairs the browser may reach, e.g. <c>127.0.0.2:8080</c>, <c>[fd00::5]:443</c>,
    /// <c>wiki.corp:443</c>. A name entry allows that name whatever it resolves to: only list names whose DNS you trust.
    /// </summary>
    public List<string> AllowHostPorts { get; set; } = [];

    /// <summary>Addresses never reachable, whatever else allows them: the orchestrator, Redis, internal services.</summary>
    public List<string> DenyCidrs { get; set; } = [];

    /// <summary>Also refuse every address bound to one of this host's network interfaces (the runner itself).</summary>
    public bool DenyLocalInterfaces { get; set; } = true;

    /// <summary>Most client connections the proxy serves at once; more get 503.</summary>
    public int MaxConnections { get; set; } = 256;

    /// <summary>Longest request or response head (request line plus headers), in bytes.</summary>
    public int MaxHeaderBytes { get; set; } = 64 * 1024;

    /// <summary>Time a client has to send its whole request head (slowloris).</summary>
    public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time to resolve a name and open the upstream connection.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A connection with no bytes in either direction for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
