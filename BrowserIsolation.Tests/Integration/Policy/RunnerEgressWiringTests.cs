using System.Text.Json;
using BrowserIsolation.Runner;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Cdp;
using BrowserIsolation.Runner.Policy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>
/// The guard as the runner wires it: AddEgressPolicy from configuration, EgressChromiumArgs feeding the runner's own
/// ChromiumProcess (CDP pipe, its quiet flags), navigation over CDP.
/// </summary>
[Collection(ChromiumEgressCollection.Name)]
[Trait("Category", "Integration")]
[Trait("Category", "Chromium")]
public sealed class RunnerEgressWiringTests : EgressServersTest
{
    [Fact]
    public async Task TheRunnersChromiumIsGuardedByTheConfiguredProxy()
    {
        var workDir = Path.Combine(Path.GetTempPath(), $"bi-egress-runner-{Guid.NewGuid():N}");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Policy:Egress:AllowHostPorts:0"] = $"127.0.0.2:{Content.HttpPort}",
            ["Policy:Egress:HeaderTimeout"] = "00:00:05",
            ["Policy:BlockList:0"] = "*.blocked.test",
            ["Policy:Homepage"] = "about:blank",
            ["Runner:WorkDir"] = workDir,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.Configure<RunnerOptions>(configuration.GetSection(RunnerOptions.Section));
        var resolver = new MapResolver().Map("canary.test", "127.0.0.3").Map("www.blocked.test", "127.0.0.2");
        services.AddSingleton<IEgressResolver>(resolver);
        services.AddEgressPolicy(configuration);
        await using var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }
        var proxy = provider.GetRequiredService<EgressProxy>();
        var args = provider.GetServices<IChromiumArgsSource>().SelectMany(s => s.GetArgs()).ToList();
        Assert.Contains($"--proxy-server=http://127.0.0.1:{proxy.Endpoint.Port}", args);
        Assert.True(File.Exists(Path.Combine(workDir, "profile", "Default", "Preferences")));

        var chromium = await ChromiumProcess.LaunchAsync(new ChromiumOptions(), 1280, 720, workDir, args, NullLoggerFactory.Instance, CancellationToken.None);
        try
        {
            var tabs = new TabManager(chromium.Cdp, NullLogger<TabManager>.Instance);
            await tabs.StartAsync(1280, 720, CancellationToken.None);
            var tab = tabs.Active!;

            Assert.Equal("hello", await NavigateAndReadTitleAsync(chromium, tab, $"{Content.Http}/hello"));
            foreach (var url in new[]
                     {
                         $"http://127.0.0.3:{Canary.Port}/", $"http://0x7f000003:{Canary.Port}/", $"http://canary.test:{Canary.Port}/",
                         $"http://[::ffff:127.0.0.1]:{Canary.Port}/", $"http://127.0.0.2:{Content.HttpsPort}/",
                         $"http://www.blocked.test:{Content.HttpPort}/hello", "http://169.254.169.254/latest/meta-data/",
                     })
            {
                Assert.Equal(BlockPage.Title, await NavigateAndReadTitleAsync(chromium, tab, url));
            }
            Assert.True(Canary.Hits == 0, Canary.Describe());
            Assert.True(proxy.RefusedCount >= 7);
        }
        finally
        {
            await chromium.DisposeAsync();
            foreach (var hosted in provider.GetServices<IHostedService>())
            {
                await hosted.StopAsync(CancellationToken.None);
            }
        }
        Assert.False(Directory.Exists(workDir), "the runner's work directory (profile) survived");
    }

    private static async Task<string> NavigateAndReadTitleAsync(ChromiumProcess chromium, BrowserTab tab, string url)
    {
        // Mark the current document so the old page can never be mistaken for the new one.
        await chromium.Cdp.SendAsync("Runtime.evaluate", new { expression = "window.__biOld = true" }, tab.SessionId);
        await chromium.Cdp.SendAsync("Page.navigate", new { url }, tab.SessionId);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            try
            {
                var result = await chromium.Cdp.SendAsync("Runtime.evaluate",
                    new { expression = "!window.__biOld && document.readyState === 'complete' ? 'T:' + document.title : ''", returnByValue = true },
                    tab.SessionId);
                var text = result.GetProperty("result").TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
                if (text.StartsWith("T:", StringComparison.Ordinal))
                {
                    return text[2..];
                }
            }
            catch (CdpException)
            {
                // the context went away mid-navigation
            }
        }
        throw new TimeoutException($"{url} did not finish loading");
    }
}
