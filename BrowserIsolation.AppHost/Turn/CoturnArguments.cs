namespace BrowserIsolation.AppHost.Turn;

/// <summary>coturn's command line in run mode: every turnserver flag of the app is here.</summary>
public static class CoturnArguments
{
    public const int ListeningPort = 3478;
    public const int MinRelayPort = 49160;
    public const int MaxRelayPort = 49200;

    /// <summary>Flags without secrets; the shared secret follows as --static-auth-secret (Program.cs).</summary>
    public static string[] Flags(string? externalIp) =>
    [
        "-n", "--log-file=stdout", "--no-cli", "--no-tls", "--no-dtls", "--fingerprint", "--realm=browserisolation",
        $"--listening-port={ListeningPort}", $"--min-port={MinRelayPort}", $"--max-port={MaxRelayPort}", "--use-auth-secret",
        // In the container coturn only knows its bridge address; clients need the host's address as relay address.
        .. externalIp is { Length: > 0 } ? new[] { $"--external-ip={externalIp}" } : [],
    ];
}
