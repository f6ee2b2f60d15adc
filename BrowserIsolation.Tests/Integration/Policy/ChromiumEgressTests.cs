using System.Text.Json;
using BrowserIsolation.Runner.Policy;
using Microsoft.Playwright;

namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>
/// Real Chromium 156 forced through the egress proxy: nothing a page or a user does reaches the canary, the allowed
/// site keeps working, and blocked navigations show the block page.
/// </summary>
[Collection(ChromiumEgressCollection.Name)]
[Trait("Category", "Integration")]
[Trait("Category", "Chromium")]
public sealed class ChromiumEgressTests(ChromiumEgressFixture f)
{
    private static async Task<JsonElement[]> RunProbePageAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await page.WaitForFunctionAsync("() => window.done === true", null, new() { Timeout = 60_000 });
        var json = await page.EvaluateAsync<string>("() => JSON.stringify(window.results)");
        return JsonDocument.Parse(json).RootElement.EnumerateArray().ToArray();
    }

    [Fact]
    public async Task NoPageVectorReachesTheCanaryAndTheAllowedSiteStillWorks()
    {
        f.Content.Pages["/probe.html"] = ProbePages.Reach(CanaryTargets.Hosts, f.Canary.Port, f.Content.Http,
            $"ws://127.0.0.2:{f.Content.HttpPort}/ws", $"wss://127.0.0.2:{f.Content.HttpsPort}/ws");
        var page = await f.Chromium.NewPageAsync();
        try
        {
            var results = await RunProbePageAsync(page, $"{f.Content.Http}/probe.html");
            Assert.Equal(CanaryTargets.Hosts.Length * 10 + 3, results.Length);
            Assert.True(f.Canary.Hits == 0, f.Canary.Describe());

            string Outcome(string vector, string urlPart) => results
                .First(r => r.GetProperty("vector").GetString() == vector && r.GetProperty("url").GetString()!.Contains(urlPart))
                .GetProperty("outcome").GetString()!;
            Assert.Equal("ok", Outcome("allowed-fetch", "/ok"));
            Assert.Equal("echo ping", Outcome("allowed-ws", "ws://"));
            Assert.Equal("echo ping", Outcome("allowed-ws", "wss://"));
            // Cross-origin probes fail in the page either way; the refusals below show the proxy stopped them.
            Assert.Equal("error", Outcome("xhr", "127.0.0.3"));
            Assert.Equal("error", Outcome("img-tls", "127.0.0.3"));

            // Both kinds of refusal were reported for the canary, by address and by name.
            Assert.Contains(f.Proxy.Refusals, r => r.Tunnel && r.Host == "127.0.0.3");
            Assert.Contains(f.Proxy.Refusals, r => !r.Tunnel && r.Url!.Contains("/xhr") && r.Host == "127.0.0.3");
            Assert.Contains(f.Proxy.Refusals, r => r.Host == "canary.test" && r.Reason.Contains("resolves to"));
            Assert.Contains(f.Proxy.Refusals, r => r.Host == "[::ffff:127.0.0.1]" || r.Host == "127.0.0.1");
        }
        finally
        {
            await page.CloseAsync();
        }
        Assert.True(f.Canary.Hits == 0, f.Canary.Describe());
    }

    public static TheoryData<string> NavigationHosts => new(CanaryTargets.Hosts);

    [Theory]
    [MemberData(nameof(NavigationHosts))]
    public async Task NavigatingToTheCanaryShowsTheBlockPage(string host)
    {
        var page = await f.Chromium.NewPageAsync();
        try
        {
            var response = await page.GotoAsync($"http://{host}:{f.Canary.Port}/navigate?x=1");
            Assert.NotNull(response);
            Assert.Equal(403, response.Status);
            Assert.Equal(BlockPage.Title, await page.TitleAsync());
            var shown = await page.Locator($"#{BlockPage.MarkerId}").InnerTextAsync();
            Assert.Contains($":{f.Canary.Port}/navigate", shown);
            Assert.NotEmpty(await page.Locator($"#{BlockPage.MarkerId}-reason").InnerTextAsync());

            var tls = await Assert.ThrowsAsync<PlaywrightException>(() => page.GotoAsync($"https://{host}:{f.Canary.Port}/navigate"));
            Assert.Contains("ERR_TUNNEL_CONNECTION_FAILED", tls.Message);
        }
        finally
        {
            await page.CloseAsync();
        }
        Assert.True(f.Canary.Hits == 0, f.Canary.Describe());
    }

    [Theory]
    [InlineData("http://127.0.0.3:{0}/from-redirect")]
    [InlineData("http://2130706435:{0}/from-redirect")]
    [InlineData("http://canary.test:{0}/from-redirect")]
    [InlineData("http://[::ffff:127.0.0.1]:{0}/from-redirect")]
    public async Task ARedirectFromTheAllowedSiteToTheCanaryIsBlocked(string target)
    {
        var to = string.Format(System.Globalization.CultureInfo.InvariantCulture, target, f.Canary.Port);
        var page = await f.Chromium.NewPageAsync();
        try
        {
            var response = await page.GotoAsync($"{f.Content.Http}/redirect?to={Uri.EscapeDataString(to)}");
            Assert.Equal(403, response!.Status);
            Assert.Equal(BlockPage.Title, await page.TitleAsync());

            // fetch() follows redirects too; the refusal (not CORS) is what stops it reaching the canary.
            await page.GotoAsync($"{f.Content.Http}/hello");
            var before = f.Proxy.Refusals.Count;
            await page.EvaluateAsync<string>(
                "url => fetch(url, { mode: 'no-cors' }).then(r => r.type, e => 'rejected')",
                $"{f.Content.Http}/redirect?to={Uri.EscapeDataString(to.Replace("from-redirect", "fetch-redirect"))}");
            Assert.Contains(f.Proxy.Refusals.Skip(before), r => r.Url is { } u && u.EndsWith("/fetch-redirect", StringComparison.Ordinal));

            // Last: a failed navigation leaves the page on Chromium's error page.
            var tls = await Assert.ThrowsAsync<PlaywrightException>(() =>
                page.GotoAsync($"{f.Content.Https}/redirect?to={Uri.EscapeDataString(to.Replace("http:", "https:"))}"));
            Assert.Contains("ERR_TUNNEL_CONNECTION_FAILED", tls.Message);
        }
        finally
        {
            await page.CloseAsync();
        }
        Assert.True(f.Canary.Hits == 0, f.Canary.Describe());
    }

    [Fact]
    public async Task TheAllowedSiteWorksByAddressByNameAndOverTls()
    {
        var page = await f.Chromium.NewPageAsync();
        try
        {
            foreach (var url in new[]
                     {
                         $"{f.Content.Http}/hello",
                         $"http://content.test:{f.Content.HttpPort}/hello",
                         $"{f.Content.Https}/hello",
                         $"http://0x7f000002:{f.Content.HttpPort}/hello",
                     })
            {
                var response = await page.GotoAsync(url);
                Assert.True(response!.Ok, url);
                Assert.Equal("hello from content", await page.Locator("#hello").InnerTextAsync());
            }
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task WebRtcAndWebTransportSendNoUdp()
    {
        f.Content.Pages["/udp.html"] = ProbePages.Udp(f.Canary.Port);
        var page = await f.Chromium.NewPageAsync();
        try
        {
            var results = await RunProbePageAsync(page, $"{f.Content.Http}/udp.html");
            Assert.Contains(results, r => r.GetString() == "end" || r.GetString()!.StartsWith("webtransport", StringComparison.Ordinal));
            // No UDP candidate at all: only proxied TCP is allowed.
            Assert.DoesNotContain(results, r => r.GetString()!.Contains(" udp ", StringComparison.Ordinal));
        }
        finally
        {
            await page.CloseAsync();
        }
        Assert.True(f.Canary.Hits == 0, f.Canary.Describe());
        Assert.Contains(f.Proxy.Refusals, r => r.Tunnel && r.Host == "127.0.0.3" && r.Port == f.Canary.Port);
    }

    [Fact]
    public async Task PolicyChangesApplyToTheRunningBrowser()
    {
        var page = await f.Chromium.NewPageAsync();
        try
        {
            Assert.True((await page.GotoAsync($"{f.Content.Http}/hello"))!.Ok);

            f.Proxy.Policy.Update(UrlPolicy.Create(new UrlPolicyOptions { BlockList = ["127.0.0.2/hello"] }));
            var blocked = await page.ReloadAsync();
            Assert.Equal(403, blocked!.Status);
            Assert.Contains("127.0.0.2/hello", await page.Locator($"#{BlockPage.MarkerId}-reason").InnerTextAsync());
            Assert.True((await page.GotoAsync($"{f.Content.Http}/ok"))!.Ok);

            f.Proxy.Policy.Update(UrlPolicy.Create(new UrlPolicyOptions { AllowList = ["content.test"] }));
            Assert.Equal(403, (await page.GotoAsync($"{f.Content.Http}/hello"))!.Status);
            Assert.True((await page.GotoAsync($"http://content.test:{f.Content.HttpPort}/hello"))!.Ok);
        }
        finally
        {
            f.Proxy.Policy.Update(UrlPolicy.Default);
            await page.CloseAsync();
        }
        var again = await f.Chromium.NewPageAsync();
        Assert.True((await again.GotoAsync($"{f.Content.Http}/hello"))!.Ok);
        await again.CloseAsync();
    }
}
