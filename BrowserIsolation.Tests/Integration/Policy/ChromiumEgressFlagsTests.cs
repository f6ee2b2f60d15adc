using BrowserIsolation.Runner.Policy;
using Microsoft.Playwright;

namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>
/// Controls for <see cref="ChromiumEgressTests"/>: each shows, on Chromium 156, what happens without one of the
/// measures, so the zero-hit results there are meaningful (the probes do reach the canary when nothing stops them).
/// </summary>
[Collection(ChromiumEgressCollection.Name)]
[Trait("Category", "Integration")]
[Trait("Category", "Chromium")]
public sealed class ChromiumEgressFlagsTests : EgressServersTest
{
    private static IEnumerable<string> FlagsWithout(int port, params string[] prefixes) =>
        ChromiumEgressFlags.For(port).Where(f => !prefixes.Any(p => f.StartsWith(p, StringComparison.Ordinal))).Append("--ignore-certificate-errors");

    [Fact]
    public async Task TheProbesReachTheCanaryWhenTheProxyAllowsIt()
    {
        await using var proxy = ProxyHarness.Start(o =>
        {
            o.AllowCidrs = ["127.0.0.0/8", "::1/128"];
            o.DenyLocalInterfaces = false;
        });
        await using var chromium = await ChromiumUnderTest.StartAsync(ChromiumEgressFlags.For(proxy.Port).Append("--ignore-certificate-errors"));
        Content.Pages["/probe.html"] = ProbePages.Reach(["127.0.0.3", "2130706435", "[::1]", "canary.test"], Canary.Port,
            Content.Http, $"ws://127.0.0.2:{Content.HttpPort}/ws", $"wss://127.0.0.2:{Content.HttpsPort}/ws");
        var page = await chromium.NewPageAsync();
        await page.GotoAsync($"{Content.Http}/probe.html");
        await page.WaitForFunctionAsync("() => window.done === true", null, new() { Timeout = 60_000 });

        var log = string.Join("\n", Canary.Log);
        foreach (var path in new[] { "GET /fetch ", "GET /xhr ", "GET /img ", "GET /iframe ", "GET /ws ", "GET /sse ", "POST /beacon " })
        {
            Assert.Contains(path, log);
        }
        Assert.Contains(Canary.Log, l => l.Contains("[::1]:", StringComparison.Ordinal));
        Assert.True(Canary.TcpHits >= 20, Canary.Describe());
    }

    [Fact]
    public async Task WithoutTheLoopbackBypassEntryChromiumGoesAroundTheProxy()
    {
        await using var proxy = ProxyHarness.Start();
        await using var chromium = await ChromiumUnderTest.StartAsync(FlagsWithout(proxy.Port, "--proxy-bypass-list", "--host-resolver-rules"));
        var page = await chromium.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.3:{Canary.Port}/direct");
        Assert.Equal("canary", await page.Locator("body").InnerTextAsync());
        Assert.True(Canary.TcpHits > 0);
        Assert.Empty(proxy.Refusals);
    }

    [Fact]
    public async Task TheResolverRulesAloneStillStopADirectConnection()
    {
        // Second layer: even if a request went around the proxy, Chromium cannot open a socket to anything but 127.0.0.1.
        await using var proxy = ProxyHarness.Start();
        await using var chromium = await ChromiumUnderTest.StartAsync(FlagsWithout(proxy.Port, "--proxy-bypass-list"));
        var page = await chromium.NewPageAsync();
        var error = await Assert.ThrowsAsync<PlaywrightException>(() => page.GotoAsync($"http://127.0.0.3:{Canary.Port}/direct"));
        Assert.Contains("ERR_NAME_NOT_RESOLVED", error.Message);
        Assert.True(Canary.Hits == 0, Canary.Describe());
        Assert.Empty(proxy.Refusals);
    }

    [Fact]
    public async Task WithoutTheWebRtcPolicyStunAndTurnGoOutOverUdp()
    {
        await using var proxy = ProxyHarness.Start();
        await using var chromium = await ChromiumUnderTest.StartAsync(FlagsWithout(proxy.Port, "--webrtc-ip-handling-policy"));
        Content.Pages["/udp.html"] = ProbePages.Udp(Canary.Port);
        var page = await chromium.NewPageAsync();
        await page.GotoAsync($"{Content.Http}/udp.html");
        await page.WaitForFunctionAsync("() => window.done === true", null, new() { Timeout = 30_000 });
        Assert.True(Canary.UdpHits > 0, Canary.Describe());
    }

    [Fact]
    public async Task TheProfilePreferenceAloneAlsoStopsWebRtcUdp()
    {
        await using var proxy = ProxyHarness.Start();
        await using var chromium = await ChromiumUnderTest.StartAsync(
            FlagsWithout(proxy.Port, "--webrtc-ip-handling-policy"), ChromiumEgressFlags.WriteProfilePreferences);
        Content.Pages["/udp.html"] = ProbePages.Udp(Canary.Port);
        var page = await chromium.NewPageAsync();
        await page.GotoAsync($"{Content.Http}/udp.html");
        await page.WaitForFunctionAsync("() => window.done === true", null, new() { Timeout = 30_000 });
        Assert.True(Canary.Hits == 0, Canary.Describe());
    }

    [Fact]
    public async Task ChromiumResolvesNoNameItselfWithTheEgressFlags()
    {
        await using var proxy = ProxyHarness.Start();
        var netLog = Path.Combine(Path.GetTempPath(), $"bi-netlog-{Guid.NewGuid():N}.json");
        try
        {
            Content.Pages["/dns.html"] = ProbePages.Dns("guarded") + WebRtcByName("guarded");
            await using (var chromium = await ChromiumUnderTest.StartAsync(ChromiumEgressFlags.For(proxy.Port).Append($"--log-net-log={netLog}")))
            {
                await LoadAndSettleAsync(chromium, $"{Content.Http}/dns.html");
                await chromium.CloseGracefullyAsync();
            }
            var resolved = NetLog.ResolvedHosts(netLog);
            Assert.DoesNotContain(resolved, h => h.Contains("guarded", StringComparison.Ordinal));
            // The proxy did the lookups that were needed (and refused nothing it should not have).
            Assert.Contains(proxy.Resolver.Lookups, h => h == "guarded-img.invalid");
        }
        finally
        {
            File.Delete(netLog);
        }
    }

    [Fact]
    public async Task WithoutTheEgressFlagsChromiumResolvesNamesItself()
    {
        // The control: the same page, no proxy, no resolver rules. The net log does show Chromium's own lookups.
        var netLog = Path.Combine(Path.GetTempPath(), $"bi-netlog-{Guid.NewGuid():N}.json");
        try
        {
            Content.Pages["/dns.html"] = ProbePages.Dns("open") + WebRtcByName("open");
            await using (var chromium = await ChromiumUnderTest.StartAsync([$"--log-net-log={netLog}"]))
            {
                await LoadAndSettleAsync(chromium, $"{Content.Http}/dns.html");
                await chromium.CloseGracefullyAsync();
            }
            var resolved = NetLog.ResolvedHosts(netLog);
            Assert.Contains(resolved, h => h.Contains("open-", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(netLog);
        }
    }

    private static string WebRtcByName(string prefix) => $$"""
        <script>
        const pc = new RTCPeerConnection({ iceServers: [
          { urls: 'stun:{{prefix}}-stun.invalid:3478' },
          { urls: 'turn:{{prefix}}-turn.invalid:3478?transport=tcp', username: 'u', credential: 'p' } ] });
        pc.createDataChannel('x');
        pc.createOffer().then(o => pc.setLocalDescription(o));
        </script>
        """;

    private static async Task LoadAndSettleAsync(ChromiumUnderTest chromium, string url)
    {
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.Load });
        await page.Locator("a").HoverAsync();
        await Task.Delay(3000); // prefetch, preconnect and ICE gathering run after load
    }
}
