namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>Every spelling of the canary (127.0.0.3, or loopback where the canary also listens) the guard must refuse.</summary>
internal static class CanaryTargets
{
    public static readonly string[] Hosts =
    [
        "127.0.0.3",
        "2130706435",       // decimal
        "0x7f000003",       // hex
        "017700000003",     // octal
        "127.3",            // short form
        "0x7f.0.0.3",       // mixed
        "0177.0.0.03",      // dotted octal
        "127.0.0.3.",       // trailing dot
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:3]",
        "[::ffff:0:7f00:3]",
        "[64:ff9b::7f00:3]",
        "[2002:7f00:3::1]",
        "localhost",
        "canary.test",      // resolver hook maps it to 127.0.0.3
        "rebind.test",      // resolves to 127.0.0.2 and 127.0.0.3
        "mapped.test",      // resolves to ::ffff:127.0.0.3
        "127.0.0.1",
    ];

    public static string[] Authorities(int port) => Hosts.Select(h => $"{h}:{port}").ToArray();
}
