using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>An orchestrator with authentication on (an API key and a signing key), and the content site.</summary>
public sealed class SecuredEnvironment : IAsyncLifetime
{
    public const string ApiKey = "test-api-key-0123456789abcdef";
    public const string SigningKey = "test-signing-key-0123456789abcdef-0123456789";

    public ContentSite Site { get; private set; } = null!;

    public OrchestratorProcess Orchestrator { get; private set; } = null!;

    public SecurityApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Site = await ContentSite.StartAsync();
        Orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__0"] = ApiKey,
            ["Auth__TokenSigningKey"] = SigningKey,
            ["Auth__AllowedOrigins__0"] = "https://embedder.example",
            ["RateLimits__Enabled"] = "false",
        });
        Api = new SecurityApi(Orchestrator);
    }

    public async Task DisposeAsync()
    {
        await Orchestrator.DisposeAsync();
        await Site.DisposeAsync();
    }
}
