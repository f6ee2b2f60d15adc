using System.Text.Json.Nodes;
using BrowserIsolation.Runner.Policy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BrowserIsolation.Tests.Unit.Policy;

[Trait("Category", "Unit")]
public class ChromiumEgressFlagsUnitTests
{
    [Fact]
    public void FlagsPointAtTheProxyAndLeaveNothingOut()
    {
        var flags = ChromiumEgressFlags.For(41234);
        Assert.Contains("--proxy-server=http://127.0.0.1:41234", flags);
        Assert.Contains("--proxy-bypass-list=<-loopback>", flags);
        Assert.Contains("--webrtc-ip-handling-policy=disable_non_proxied_udp", flags);
        Assert.Contains("--disable-quic", flags);
        Assert.Contains(flags, f => f.StartsWith("--host-resolver-rules=MAP * ~NOTFOUND", StringComparison.Ordinal));
        Assert.Single(flags, f => f.StartsWith("--disable-features=", StringComparison.Ordinal));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChromiumEgressFlags.For(0));
    }

    [Fact]
    public void FeatureSwitchesMergeIntoOne()
    {
        var merged = ChromiumEgressFlags.MergeFeatureSwitches(
        [
            "--headless=new", "--disable-features=A,B", "--enable-features=X", "--no-first-run", "--disable-features=B,C", "--enable-features=Y,X",
        ]);
        Assert.Equal(["--headless=new", "--disable-features=A,B,C", "--enable-features=X,Y", "--no-first-run"], merged);
    }

    [Fact]
    public void ProfilePreferencesAreWrittenAndMerged()
    {
        var dir = Directory.CreateTempSubdirectory("bi-prefs-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "Default"));
            File.WriteAllText(Path.Combine(dir, "Default", "Preferences"), """{"keep":{"me":1},"webrtc":{"other":true}}""");
            ChromiumEgressFlags.WriteProfilePreferences(dir);
            var prefs = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "Default", "Preferences")))!;
            Assert.Equal("disable_non_proxied_udp", (string?)prefs["webrtc"]!["ip_handling_policy"]);
            Assert.True((bool)prefs["webrtc"]!["other"]!);
            Assert.Equal(2, (int)prefs["net"]!["network_prediction_options"]!);
            Assert.Equal(1, (int)prefs["keep"]!["me"]!);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ConfigurationBindsAndBadConfigurationFailsAtStartUp()
    {
        var good = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Policy:Egress:AllowCidrs:0"] = "10.1.0.0/16",
            ["Policy:Egress:AllowHostPorts:0"] = "wiki.corp:443",
            ["Policy:Egress:DenyCidrs:0"] = "10.1.2.0/24",
            ["Policy:Egress:IdleTimeout"] = "00:01:00",
            ["Policy:AllowList:0"] = "*.example.com",
            ["Policy:BlockedSchemes:0"] = "file",
            ["Policy:AllowDownloads"] = "true",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddEgressPolicy(good).BuildServiceProvider();
        var options = provider.GetRequiredService<EgressOptions>();
        Assert.Equal(TimeSpan.FromMinutes(1), options.IdleTimeout);
        var guard = provider.GetRequiredService<AddressGuard>();
        Assert.True(guard.Judge(System.Net.IPAddress.Parse("10.1.9.9"), 80).Allowed);
        Assert.False(guard.Judge(System.Net.IPAddress.Parse("10.1.2.3"), 80).Allowed);
        var policy = provider.GetRequiredService<UrlPolicyHolder>().Current;
        Assert.True(policy.AllowDownloads);
        Assert.False(policy.Evaluate("https://other.net/").Allowed);
        Assert.Equal(["file"], policy.BlockedSchemes);

        var badCidr = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Policy:Egress:AllowCidrs:0"] = "10.1.0.1/16",
        }).Build();
        Assert.Contains("AllowCidrs", Assert.Throws<FormatException>(() => new ServiceCollection().AddEgressPolicy(badCidr)).Message);
        var badPattern = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Policy:BlockList:0"] = "ex*ample.com",
        }).Build();
        Assert.Throws<FormatException>(() => new ServiceCollection().AddEgressPolicy(badPattern));
    }
}
