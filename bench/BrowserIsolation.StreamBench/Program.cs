using System.Net.Http.Json;
using System.Text.Json;
using BrowserIsolation.PlatformBench;
using BrowserIsolation.StreamBench;
using Microsoft.Playwright;

var seconds = int.TryParse(args.SkipWhile(a => a != "--seconds").Skip(1).FirstOrDefault(), out var s) ? s : 10;
var clicks = int.TryParse(args.SkipWhile(a => a != "--clicks").Skip(1).FirstOrDefault(), out var c) ? c : 40;

await using var site = await AnimatedSite.StartAsync();
await using var orchestrator = await LocalOrchestrator.StartAsync();
using var http = new HttpClient { BaseAddress = orchestrator.BaseUri };
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Args = ["--no-sandbox", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
var browserPid = ProcessCpu.FindBrowserPid();

async Task<(string Id, string RunnerId)> CreateAsync(string url)
{
    var created = await (await http.PostAsJsonAsync("/api/sessions?wait=true", new { url, width = 1280, height = 720 }))
        .Content.ReadFromJsonAsync<JsonElement>();
    return (created.GetProperty("sessionId").GetString()!, created.GetProperty("runnerId").GetString()!);
}

var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1300, Height = 760 } });
await page.GotoAsync(new Uri(orchestrator.BaseUri, "/health").AbsoluteUri);
await page.AddScriptTagAsync(new() { Content = ViewerScript.Source });

foreach (var transport in new[] { "webrtc", "jpeg" })
{
    // Throughput and CPU on the animated page.
    var (animated, runnerId) = await CreateAsync(site.Url);
    var runnerPid = ProcessCpu.RunnerPid(runnerId);
    await page.EvaluateAsync("([id, t]) => window.bench.open(id, t)", new object[] { animated, transport });
    await Task.Delay(2000);
    var runnerCpu = ProcessCpu.Sample(runnerPid, includeChildren: false);
    var viewerCpu = ProcessCpu.Sample(browserPid, includeChildren: true);
    var before = await page.EvaluateAsync<JsonElement>("() => window.bench.counters()");
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    var after = await page.EvaluateAsync<JsonElement>("() => window.bench.counters()");
    var frames = after.GetProperty("frames").GetDouble() - before.GetProperty("frames").GetDouble();
    var bytes = after.GetProperty("bytes").GetDouble() - before.GetProperty("bytes").GetDouble();
    var elapsed = (after.GetProperty("t").GetDouble() - before.GetProperty("t").GetDouble()) / 1000;
    Console.WriteLine($"{transport,-6} animated 1280x720: {frames / elapsed:0.0} fps, {bytes * 8 / elapsed / 1e6:0.00} Mbit/s; " +
        $"runner {runnerCpu.Cores():0.00} cores (without Chromium), viewing browser {viewerCpu.Cores():0.00} cores");
    await page.EvaluateAsync("() => window.bench.close()");
    await http.DeleteAsync($"/api/sessions/{animated}");

    // Input-to-photon on a page that flips colour on every press.
    var (toggle, _) = await CreateAsync(site.ToggleUrl);
    await page.EvaluateAsync("([id, t]) => window.bench.open(id, t)", new object[] { toggle, transport });
    var samples = await page.EvaluateAsync<double[]>("(n) => window.bench.clicks(n)", clicks);
    Console.WriteLine($"{transport,-6} input-to-photon (n={samples.Length}): median {Stats.Percentile(samples, 50):0.0} ms, " +
        $"p95 {Stats.Percentile(samples, 95):0.0} ms");
    await page.EvaluateAsync("() => window.bench.close()");
    await http.DeleteAsync($"/api/sessions/{toggle}");
}
