namespace BrowserIsolation.AppHost.Turn;

/// <summary>
/// coturn's command line in run mode: the repository's turn/turnserver.conf (credentials scheme and the peer deny
/// rules, shared with the operators' docs) plus what only the AppHost knows: ports, log and relay address.
/// </summary>
public static class CoturnArguments
{
    public const string ConfigPath = "/etc/coturn/turnserver.conf";

    public const int ListeningPort = 3478;
    public const int MinRelayPort = 49160;
    public const int MaxRelayPort = 49200;

    /// <summary>Flags without secrets; the shared secret follows as --static-auth-secret (Program.cs).</summary>
    public static string[] Flags(string? externalIp) =>
    [
        "-c", ConfigPath, "--log-file=stdout",
        $"--listening-port={ListeningPort}", $"--min-port={MinRelayPort}", $"--max-port={MaxRelayPort}",
        // In the container coturn only knows its bridge address; clients need the host's address as relay address.
        .. externalIp is { Length: > 0 } ? new[] { $"--external-ip={externalIp}" } : [],
    ];
}
