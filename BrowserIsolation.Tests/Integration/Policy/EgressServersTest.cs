namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>A canary that must never be reached and an allowed content server, started and stopped per test class.</summary>
public abstract class EgressServersTest : IAsyncLifetime
{
    protected CanaryServer Canary { get; private set; } = null!;

    protected ContentServer Content { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Canary = CanaryServer.Start();
        Content = await ContentServer.StartAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Content.DisposeAsync();
        await Canary.DisposeAsync();
    }
}
