using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>An orchestrator with authentication on (an API key and a signing key) and the content site.</summary>
public abstract class AuthenticatedEnvironment(string apiKey, string signingKey, IReadOnlyDictionary<string, string> settings) : IAsyncLifetime
{
    public ContentSite Site { get; private set; } = null!;

    public OrchestratorProcess Orchestrator { get; private set; } = null!;

    public SecurityApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Site = await ContentSite.StartAsync();
        var all = new Dictionary<string, string>(settings)
        {
            ["Auth__ApiKeys__0"] = apiKey,
            ["Auth__TokenSigningKey"] = signingKey,
            ["RateLimits__Enabled"] = "false",
        };
        Orchestrator = await OrchestratorProcess.StartAsync(all);
        Api = new SecurityApi(Orchestrator);
    }

    public async Task DisposeAsync()
    {
        await Orchestrator.DisposeAsync();
        await Site.DisposeAsync();
    }
}
