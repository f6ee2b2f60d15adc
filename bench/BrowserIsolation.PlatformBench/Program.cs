using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using BrowserIsolation.PlatformBench;

var options = BenchOptions.Parse(args);
await using var site = await AnimatedSite.StartAsync();
await using var orchestrator = options.Orchestrator is { } url ? null : await LocalOrchestrator.StartAsync();
var baseUri = options.Orchestrator ?? orchestrator!.BaseUri;
using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(120) };
Console.WriteLine($"orchestrator {baseUri}, page {site.Url}");

// create -> ready, one session at a time, so each number is one cold start
var startup = new List<double>();
for (var i = 0; i < options.Sessions; i++)
{
    var clock = Stopwatch.StartNew();
    var response = await http.PostAsJsonAsync("/api/sessions?wait=true", new { url = site.Url, width = 1280, height = 720 });
    var session = await response.Content.ReadFromJsonAsync<JsonElement>();
    var elapsed = clock.Elapsed.TotalMilliseconds;
    if (session.GetProperty("status").GetString() != "ready")
    {
        throw new InvalidOperationException($"session did not start: {session}");
    }
    startup.Add(elapsed);
    await http.DeleteAsync($"/api/sessions/{session.GetProperty("sessionId").GetString()}");
}
Console.WriteLine($"create->ready (n={startup.Count}): median {Stats.Percentile(startup, 50):0} ms, p95 {Stats.Percentile(startup, 95):0} ms, " +
    $"min {startup.Min():0} ms");

// fps and bitrate delivered to one client on an animated page
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
