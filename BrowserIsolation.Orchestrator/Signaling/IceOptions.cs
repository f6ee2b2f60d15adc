namespace BrowserIsolation.Orchestrator.Signaling;

/// <summary>Configuration section <c>Turn</c>: the TURN/STUN servers clients are told about.</summary>
public sealed class IceOptions
{
    public const string Section = "Turn";

    /// <summary>TURN URLs, e.g. <c>turn:turn.example.com:3478?transport=udp</c>.</summary>
    public string[] Urls { get; set; } = [];

    /// <summary>Shared secret of coturn's <c>--use-auth-secret</c>; credentials are derived per client.</summary>
    public string Secret { get; set; } = "";

    /// <summary>
    /// Longest life of a TURN credential; a join token's credential also ends with the token. coturn's REST scheme
    /// cannot revoke one, so this bounds how long a removed participant keeps a relay (docs/security.md).
    /// </summary>
    public TimeSpan CredentialLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Plain STUN URLs, given without credentials.</summary>
    public string[] StunUrls { get; set; } = [];
}
