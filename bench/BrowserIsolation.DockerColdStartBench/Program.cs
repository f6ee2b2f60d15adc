using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using BrowserIsolation.DockerColdStartBench;

// Cold start, create -> first frame, of a session on a Docker runner and on a process runner: two orchestrators
// (Runner:Provider=docker and =process), one session at a time, alternating, each after one warm-up.
var options = BenchOptions.Parse(args);
Console.WriteLine($"orchestrator {options.OrchestratorDll}");
Console.WriteLine($"docker {options.DockerHost} ({options.Network} network), image {options.Image}, {options.Runs} runs each");

var owner = $"bench-{Guid.NewGuid():N}"[..16];
await using var process = await Orchestrator.StartAsync(options.OrchestratorDll, new() { ["Runner__Provider"] = "process" });
await using var docker = await Orchestrator.StartAsync(options.OrchestratorDll, new()
{
    ["Runner__Provider"] = "docker",
    ["Runner__Docker__Host"] = options.DockerHost,
    ["Runner__Docker__Image"] = options.Image,
    ["Runner__Docker__Network"] = options.Network,
    ["Runner__Docker__BindIp"] = "127.0.0.1",
    ["Runner__Docker__Owner"] = owner,
});

var results = new Dictionary<string, (List<double> Ready, List<double> Frame)> { ["process"] = ([], []), ["docker"] = ([], []) };
for (var run = -1; run < options.Runs; run++)
{
    foreach (var (name, orchestrator) in new[] { ("process", process), ("docker", docker) })
    {
        var (ready, frame) = await ColdStartAsync(orchestrator.BaseUri);
        if (run >= 0) // run -1 warms the page cache and the JIT
        {
            results[name].Ready.Add(ready);
            results[name].Frame.Add(frame);
        }
        Console.WriteLine($"  {(run < 0 ? "warm-up" : $"run {run + 1}"),-8} {name,-8} create->ready {ready,6:0} ms, create->first frame {frame,6:0} ms");
    }
}

Console.WriteLine();
foreach (var (name, (ready, frame)) in results)
{
    Console.WriteLine($"{name,-8} create->ready median {Median(ready),6:0} ms (min {ready.Min():0}), create->first frame median {Median(frame),6:0} ms (min {frame.Min():0})");
}
Console.WriteLine($"docker/process cold start (create->first frame, medians): {Median(results["docker"].Frame) / Median(results["process"].Frame):0.00}x");

// The container's own loopback (and ours for process runners): nothing listens, Chromium renders its error page.
static async Task<(double Ready, double Frame)> ColdStartAsync(Uri baseUri)
{
    using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(120) };
    var clock = Stopwatch.StartNew();
    using var response = await http.PostAsJsonAsync("/api/sessions?wait=true", new { url = "http://127.0.0.1:9/", width = 1280, height = 720 });
    var session = await response.Content.ReadFromJsonAsync<JsonElement>();
    if (!response.IsSuccessStatusCode || session.GetProperty("status").GetString() != "ready")
    {
        throw new InvalidOperationException($"session did not start: {(int)response.StatusCode} {session}");
    }
    var ready = clock.Elapsed.TotalMilliseconds;
    var id = session.GetProperty("sessionId").GetString()!;
    try
    {
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new UriBuilder(baseUri) { Scheme = "ws", Path = $"/ws/sessions/{id}" }.Uri, timeout.Token);
        var buffer = new byte[1 << 16];
        while ((await socket.ReceiveAsync(buffer, timeout.Token)).MessageType != WebSocketMessageType.Binary)
        {
        }
        return (ready, clock.Elapsed.TotalMilliseconds);
    }
    finally
    {
        await http.DeleteAsync($"/api/sessions/{id}");
    }
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
