using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// The whole product as an operator would run it: an orchestrator whose egress allow list admits the content site
/// (127.0.0.2) and nothing else, a canary (127.0.0.3, 127.0.0.1, [::1]) that must stay untouched, and a name
/// (canary.test) that resolves to the canary through the guard's configured hosts.
/// </summary>
public sealed class CanaryEnvironment : IAsyncLifetime
{
    public const string CanaryName = "canary.test";

    public CanaryServer Canary { get; private set; } = null!;

    public ContentSite Site { get; private set; } = null!;

    public OrchestratorProcess Orchestrator { get; private set; } = null!;

    public SecurityApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Canary = CanaryServer.Start();
        Site = await ContentSite.StartAsync();
        Orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            [$"Policy__Egress__Hosts__{CanaryName}"] = CanaryServer.Address,
            ["RateLimits__Enabled"] = "false",
        });
        Api = new SecurityApi(Orchestrator);
    }

    /// <summary>Every spelling of the canary (and of loopback generally) a page or a user might try.</summary>
    public IEnumerable<string> CanaryHosts() =>
    [
        "127.0.0.3", "2130706435", "0x7f000003", "017700000003", "0177.0.0.3", "127.3", "0x7f.0.0.3", "127.000.000.003",
        "[::ffff:127.0.0.3]", "[::ffff:7f00:3]", "[::127.0.0.3]", "[64:ff9b::7f00:3]",
        "127.0.0.1", "localhost", "[::1]", "[::ffff:127.0.0.1]", "[0:0:0:0:0:0:0:1]", "2130706433", "0x7f000001",
        CanaryName,
    ];

    public async Task DisposeAsync()
    {
        await Orchestrator.DisposeAsync();
        await Site.DisposeAsync();
        await Canary.DisposeAsync();
    }
}
