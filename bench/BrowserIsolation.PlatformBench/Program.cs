using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using BrowserIsolation.PlatformBench;

var options = BenchOptions.Parse(args);
await using var site = await AnimatedSite.StartAsync();
Console.WriteLine($"page {site.Url}");

if (options.Orchestrator is { } remote)
{
    // Someone else's orchestrator: measure create->ready as configured there, then the stream.
    using var http = Client(remote);
    await Startup.MeasureAsync(http, site.StaticUrl, options.Sessions, "create->ready", waitForPool: await Startup.PoolEnabledAsync(http));
    await StreamAsync(http, remote);
    return;
}

// 1. Cold: no pool, every session starts its own runner (one at a time).
await using (var cold = await LocalOrchestrator.StartAsync(new Dictionary<string, string> { ["Pool__Enabled"] = "false" }))
{
    using var http = Client(cold.BaseUri);
    Console.WriteLine($"orchestrator {cold.BaseUri} (no pool)");
    await Startup.MeasureAsync(http, site.StaticUrl, options.Sessions, "cold create->ready", waitForPool: false);
}

// 2. Warm: each create finds a ready runner (the bench waits for the refill between creates).
await using (var warm = await LocalOrchestrator.StartAsync(new Dictionary<string, string> { ["Pool__MinSize"] = "1", ["Pool__MaxSize"] = "1" }))
{
    using var http = Client(warm.BaseUri);
    Console.WriteLine($"orchestrator {warm.BaseUri} (pool of 1)");
    await Startup.MeasureAsync(http, site.StaticUrl, options.Sessions, "pool-hit create->ready", waitForPool: true);
}

// 3. Refill: a pool of N, a burst of N creates, and the time until N runners are warm again.
await using (var burst = await LocalOrchestrator.StartAsync(new Dictionary<string, string>
{
    ["Pool__MinSize"] = options.Burst.ToString(),
    ["Pool__MaxSize"] = options.Burst.ToString(),
}))
{
    using var http = Client(burst.BaseUri);
    Console.WriteLine($"orchestrator {burst.BaseUri} (pool of {options.Burst})");
    await Startup.MeasureRefillAsync(http, site.StaticUrl, options.Burst);
    await StreamAsync(http, burst.BaseUri);
}

static HttpClient Client(Uri baseUri) => new() { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(120) };

// fps and bitrate delivered to one client on an animated page
async Task StreamAsync(HttpClient http, Uri baseUri)
{
    var created = await (await http.PostAsJsonAsync("/api/sessions?wait=true", new { url = site.Url, width = 1280, height = 720 }))
        .Content.ReadFromJsonAsync<JsonElement>();
    var id = created.GetProperty("sessionId").GetString()!;
    using var socket = new ClientWebSocket();
    await socket.ConnectAsync(new UriBuilder(baseUri) { Scheme = "ws", Path = $"/ws/sessions/{id}" }.Uri, CancellationToken.None);
    await Task.Delay(1000); // let the animation settle
    var (frames, bytes, seconds) = await Stats.CountFramesAsync(socket, TimeSpan.FromSeconds(options.Seconds));
    var runner = await http.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}");
    Console.WriteLine($"WebSocket JPEG to one client: {frames / seconds:0.0} fps, {bytes * 8 / seconds / 1e6:0.0} Mbit/s, " +
        $"{bytes / Math.Max(1, frames) / 1024:0} KiB/frame (runner captures {runner.GetProperty("metrics").GetProperty("fps").GetDouble():0} fps)");
    await http.DeleteAsync($"/api/sessions/{id}");
}
