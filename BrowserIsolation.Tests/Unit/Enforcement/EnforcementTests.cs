using System.Net;
using System.Text.Json.Nodes;
using BrowserIsolation.Runner.Apis;
using BrowserIsolation.Runner.Enforcement;
using BrowserIsolation.Runner.Policy;
using Microsoft.Extensions.Configuration;

namespace BrowserIsolation.Tests.Unit.Enforcement;

[Trait("Category", "Unit")]
public sealed class EnforcementTests
{
    [Fact]
    public void APolicyUpdateChangesOnlyWhatItNamesAndKeepsTheLocalSchemeFloor()
    {
        var current = new UrlPolicyOptions { AllowList = ["example.com"], Homepage = "https://example.com/" };
        var merged = PolicyApi.Merge(current, JsonNode.Parse("""{"BlockList":["example.com/admin"],"blockedSchemes":[],"userBlockedSchemes":["data"]}""")!.AsObject());
        Assert.Equal(["example.com"], merged.AllowList);
        Assert.Equal(["example.com/admin"], merged.BlockList);
        Assert.Equal("https://example.com/", merged.Homepage);
        Assert.Contains("file", merged.BlockedSchemes!);
        Assert.Contains("view-source", merged.BlockedSchemes!);
        Assert.Contains("javascript", merged.UserBlockedSchemes!);
        Assert.Contains("data", merged.UserBlockedSchemes!);

        Assert.Throws<ControlApi.BadBodyException>(() => PolicyApi.Merge(current, JsonNode.Parse("""{"allowlists":[]}""")!.AsObject()));
        Assert.Throws<ControlApi.BadBodyException>(() => PolicyApi.Merge(current, JsonNode.Parse("""{"popupsAsTabs":"yes"}""")!.AsObject()));
        Assert.Throws<ControlApi.BadBodyException>(() => PolicyApi.Merge(current, JsonNode.Parse("""{"homepage":null}""")!.AsObject()));
    }

    [Fact]
    public void TheBlockPageAddressCarriesTargetAndReason()
    {
        var marker = new Uri(BlockedNavigation.MarkerUrl("chrome://settings/?a=1&b=2", "The chrome: scheme is blocked."));
        Assert.True(BlockedNavigation.IsMarker(marker));
        Assert.Equal(("chrome://settings/?a=1&b=2", "The chrome: scheme is blocked."), BlockedNavigation.Parse(marker));
        Assert.EndsWith(".invalid", BlockedNavigation.Host);
        Assert.False(BlockedNavigation.IsMarker(new Uri("http://example.com/?url=x")));
    }

    [Fact]
    public async Task ConfiguredHostsAnswerFirstAndTheRestGoesToTheSystemResolver()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Policy:Egress:Hosts:Canary.Test"] = "127.0.0.3, ::1",
        }).Build();
        var resolver = ConfiguredHostsResolver.FromConfiguration(configuration, new SystemEgressResolver());
        Assert.Equal([IPAddress.Parse("127.0.0.3"), IPAddress.IPv6Loopback], await resolver.ResolveAsync("canary.test", CancellationToken.None));
        Assert.Equal([IPAddress.Parse("127.0.0.3"), IPAddress.IPv6Loopback], await resolver.ResolveAsync("canary.test.", CancellationToken.None));
        Assert.Contains(IPAddress.Loopback, await resolver.ResolveAsync("localhost", CancellationToken.None));
        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Policy:Egress:Hosts:x"] = "not-an-ip" }).Build();
        Assert.Throws<FormatException>(() => ConfiguredHostsResolver.FromConfiguration(bad, new SystemEgressResolver()));
    }

    [Fact]
    public void SubresourcesArePausedOnlyWhenARuleNeedsTheWholeUrl()
    {
        Assert.False(RequestInterceptor.NeedsFullUrls(UrlPolicy.Create(new UrlPolicyOptions())));
        Assert.False(RequestInterceptor.NeedsFullUrls(UrlPolicy.Create(new UrlPolicyOptions { AllowList = ["*.example.com"], BlockList = ["ads.example.com", "10.0.0.1:8080"] })));
        Assert.True(RequestInterceptor.NeedsFullUrls(UrlPolicy.Create(new UrlPolicyOptions { BlockList = ["example.com/admin"] })));
        Assert.True(RequestInterceptor.NeedsFullUrls(UrlPolicy.Create(new UrlPolicyOptions { BlockList = ["http://example.com"] })));
        Assert.True(RequestInterceptor.NeedsFullUrls(UrlPolicy.Create(new UrlPolicyOptions { AllowList = ["example.com/docs"], Homepage = "https://example.com/docs/" })));
    }
}
