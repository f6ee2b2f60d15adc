namespace BrowserIsolation.Tests.Fixtures;

/// <summary>A test class with its own orchestrator (process runners) and its own content site, ended after the class's tests.</summary>
public abstract class PlatformTest : IAsyncLifetime
{
    protected OrchestratorProcess Orchestrator { get; private set; } = null!;

    protected TestSite Site { get; private set; } = null!;

    /// <summary>Orchestrator settings as environment variables (e.g. <c>Sessions__MaxSessions</c>).</summary>
    protected virtual IDictionary<string, string>? Settings => null;

    public async Task InitializeAsync()
    {
        Site = await TestSite.StartAsync();
        Orchestrator = await OrchestratorProcess.StartAsync(Settings);
    }

    public async Task DisposeAsync()
    {
        await Orchestrator.DisposeAsync();
        await Site.DisposeAsync();
    }
}
