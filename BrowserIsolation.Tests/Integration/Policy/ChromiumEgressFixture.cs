using BrowserIsolation.Runner.Policy;

namespace BrowserIsolation.Tests.Integration.Policy;

[CollectionDefinition(Name)]
public sealed class ChromiumEgressCollection : ICollectionFixture<ChromiumEgressFixture>
{
    // Real Chromium runs one at a time: two cores are shared with other work.
    public const string Name = "Chromium egress";
}

/// <summary>
/// Canary on 127.0.0.3 (+127.0.0.1, [::1]), allowed content on 127.0.0.2, the egress proxy, and one Chromium started
/// with exactly <see cref="ChromiumEgressFlags"/> (plus --ignore-certificate-errors for the self-signed test site).
/// </summary>
public sealed class ChromiumEgressFixture : IAsyncLifetime
{
    internal CanaryServer Canary { get; private set; } = null!;
    internal ContentServer Content { get; private set; } = null!;
    internal ProxyHarness Proxy { get; private set; } = null!;
    internal ChromiumUnderTest Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Canary = CanaryServer.Start();
        Content = await ContentServer.StartAsync();
        Proxy = ProxyHarness.Start();
        Chromium = await ChromiumUnderTest.StartAsync(
            ChromiumEgressFlags.For(Proxy.Port).Append("--ignore-certificate-errors"),
            ChromiumEgressFlags.WriteProfilePreferences);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Chromium is not null)
            {
                await Chromium.DisposeAsync();
            }
        }
        finally
        {
            await Proxy.DisposeAsync();
            await Content.DisposeAsync();
            await Canary.DisposeAsync();
        }
    }
}
