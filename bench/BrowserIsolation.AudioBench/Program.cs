using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using BrowserIsolation.AudioBench;
using BrowserIsolation.PlatformBench;
using BrowserIsolation.StreamBench;
using Microsoft.Playwright;

// What sound costs and how well it lines up: start-up with and without the sound server, capture + Opus CPU,
// the bitrate of a tone and of a silent page (DTX), and the audio-video offset at a WebRTC viewer.
var seconds = int.TryParse(args.SkipWhile(a => a != "--seconds").Skip(1).FirstOrDefault(), out var s) ? s : 20;
var runs = int.TryParse(args.SkipWhile(a => a != "--runs").Skip(1).FirstOrDefault(), out var r) ? r : 5;

await using var site = await SoundSite.StartAsync();

// 1. Start-up: runners with the sound server against runners without, alternating, cold (no pool) and from the pool.
await StartupAsync(site, runs);

await using var orchestrator = await LocalOrchestrator.StartAsync(new Dictionary<string, string> { ["Pool__Enabled"] = "false" });
using var http = new HttpClient { BaseAddress = orchestrator.BaseUri };
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Args = ["--no-sandbox", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required"],
});
var page = await browser.NewPageAsync();
await page.GotoAsync(new Uri(orchestrator.BaseUri, "/health").AbsoluteUri);
await page.AddScriptTagAsync(new() { Content = ListenerScript.Source });

// 2. A tone: CPU of capture + Opus and of the sound server, and the bitrate.
{
    var (id, runnerId) = await CreateAsync(http, site.ToneUrl);
    var runnerPid = ProcessCpu.RunnerPid(runnerId);
    await page.EvaluateAsync("id => window.listen.open(id)", id);
    await Task.Delay(2000);
    var (thread0, server0, clock) = (SoundCpu.CaptureThreadSeconds(runnerPid), SoundCpu.SoundServerSeconds(runnerPid), Stopwatch.StartNew());
    var before = await page.EvaluateAsync<JsonElement>("() => window.listen.audioStats()");
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    var after = await page.EvaluateAsync<JsonElement>("() => window.listen.audioStats()");
    var elapsed = clock.Elapsed.TotalSeconds;
    var thread = (SoundCpu.CaptureThreadSeconds(runnerPid) - thread0) / elapsed;
    var server = (SoundCpu.SoundServerSeconds(runnerPid) - server0) / elapsed;
    Console.WriteLine($"tone 440 Hz: capture + Opus {thread:0.0000} cores, sound server {server:0.0000} cores, together {thread + server:0.0000} cores; " +
        Bitrate(before, after));
    await page.EvaluateAsync("() => window.listen.close()");
    await http.DeleteAsync($"/api/sessions/{id}");
}

// 3. A silent page: DTX.
{
    var (id, _) = await CreateAsync(http, site.SilentUrl);
    await page.EvaluateAsync("id => window.listen.open(id)", id);
    await Task.Delay(3000);
    var before = await page.EvaluateAsync<JsonElement>("() => window.listen.audioStats()");
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    var after = await page.EvaluateAsync<JsonElement>("() => window.listen.audioStats()");
    Console.WriteLine($"silent page: {Bitrate(before, after)}");
    await page.EvaluateAsync("() => window.listen.close()");
    await http.DeleteAsync($"/api/sessions/{id}");
}

// 4. Lip sync: a page that flashes and beeps at the same instant once a second.
{
    var (id, _) = await CreateAsync(http, site.SyncUrl);
    await page.EvaluateAsync("id => window.listen.open(id)", id);
    await Task.Delay(3000);
    await page.EvaluateAsync("() => { const m = window.listen.marks(); m.flashes.length = 0; m.beeps.length = 0; }");
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    var marks = await page.EvaluateAsync<JsonElement>("() => window.listen.marks()");
    var flashes = marks.GetProperty("flashes").EnumerateArray().Select(e => e.GetDouble()).ToList();
    var beeps = marks.GetProperty("beeps").EnumerateArray().Select(e => e.GetDouble()).ToList();
    // Pair each beep with the flash nearest to it (they are a second apart, so within 500 ms is the same event).
    var offsets = beeps.Select(b => flashes.Count == 0 ? double.NaN : b - flashes.MinBy(f => Math.Abs(f - b)))
        .Where(o => !double.IsNaN(o) && Math.Abs(o) < 500).ToList();
    Console.WriteLine(offsets.Count == 0
        ? $"lip sync: no pairs ({flashes.Count} flashes, {beeps.Count} beeps)"
        : $"lip sync over WebRTC (audio minus video, positive = sound late): median {Stats.Percentile(offsets, 50):0} ms, " +
          $"p10 {Stats.Percentile(offsets, 10):0} ms, p90 {Stats.Percentile(offsets, 90):0} ms, |median| {Math.Abs(Stats.Percentile(offsets, 50)):0} ms " +
          $"over {offsets.Count} flash+beeps ({flashes.Count} flashes, {beeps.Count} beeps seen)");
    await page.EvaluateAsync("() => window.listen.close()");
    await http.DeleteAsync($"/api/sessions/{id}");
}

static async Task<(string Id, string RunnerId)> CreateAsync(HttpClient http, string url)
{
    var created = await (await http.PostAsJsonAsync("/api/sessions?wait=true", new { url, width = 1280, height = 720 }))
        .Content.ReadFromJsonAsync<JsonElement>();
    if (created.GetProperty("status").GetString() != "ready")
    {
        throw new InvalidOperationException("session did not start: " + created);
    }
    return (created.GetProperty("sessionId").GetString()!, created.GetProperty("runnerId").GetString()!);
}

static string Bitrate(JsonElement before, JsonElement after)
{
    if (before.ValueKind != JsonValueKind.Object || after.ValueKind != JsonValueKind.Object)
    {
        return "no audio stream";
    }
    double D(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
    var elapsed = (D(after, "t") - D(before, "t")) / 1000;
    var packets = D(after, "packets") - D(before, "packets");
    var rtp = (D(after, "bytes") + D(after, "header") - D(before, "bytes") - D(before, "header")) * 8 / elapsed / 1000;
    // On the wire each packet also carries the SRTP tag (16), UDP (8) and IPv4 (20) headers.
    var wire = rtp + (packets * 44 * 8 / elapsed / 1000);
    return $"{packets / elapsed:0.0} packets/s, RTP {rtp:0.00} kbit/s, on the wire {wire:0.00} kbit/s";
}

static async Task StartupAsync(SoundSite site, int runs)
{
    foreach (var pooled in new[] { false, true })
    {
        var settings = new Dictionary<string, string> { ["Pool__Enabled"] = pooled ? "true" : "false", ["Pool__MinSize"] = "1" };
        await using var quiet = await LocalOrchestrator.StartAsync(new Dictionary<string, string>(settings) { ["Audio__Enabled"] = "false" });
        await using var sound = await LocalOrchestrator.StartAsync(settings);
        var times = new Dictionary<string, List<double>> { ["without sound"] = [], ["with sound"] = [] };
        for (var i = 0; i < runs + 1; i++)
        {
            foreach (var (label, orchestrator) in new[] { ("without sound", quiet), ("with sound", sound) })
            {
                using var http = new HttpClient { BaseAddress = orchestrator.BaseUri };
                if (pooled)
                {
                    await WaitForPoolAsync(http);
                }
                var clock = Stopwatch.StartNew();
                var (id, _) = await CreateAsync(http, site.SilentUrl);
                if (i > 0)
                {
                    times[label].Add(clock.Elapsed.TotalMilliseconds); // the first of each is a warm-up
                }
                await http.DeleteAsync($"/api/sessions/{id}");
            }
        }
        var without = Stats.Percentile(times["without sound"], 50);
        var with = Stats.Percentile(times["with sound"], 50);
        Console.WriteLine($"{(pooled ? "pooled" : "cold")} create->ready (n={runs}): without sound median {without:0} ms, with sound {with:0} ms: " +
            $"with/without {with / without:0.00}x");
    }
}

static async Task WaitForPoolAsync(HttpClient http)
{
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (DateTime.UtcNow < deadline)
    {
        var pool = await http.GetFromJsonAsync<JsonElement>("/api/pool");
        if (pool.GetProperty("available").GetInt32() >= 1)
        {
            return;
        }
        await Task.Delay(100);
    }
    throw new TimeoutException("the pool did not refill in 60 s");
}
