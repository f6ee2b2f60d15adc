using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using BrowserIsolation.PlatformBench;
using BrowserIsolation.SoakBench;

// Create / use / delete churn at the pool's rate for --minutes (30), then what leaked: processes, file descriptors,
// work folders (each compared with the same moment of the pool at rest) and the orchestrator's memory growth per hour.
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var minutes = double.TryParse(Arg("--minutes"), out var m) ? m : 30;
const int Pool = 2;

await using var site = await AnimatedSite.StartAsync();
var workRoot = Directory.CreateTempSubdirectory("bi-soak-").FullName;
await using var orchestrator = await LocalOrchestrator.StartAsync(new Dictionary<string, string>
{
    ["Runner__Process__WorkRoot"] = workRoot,
    ["Pool__MinSize"] = Pool.ToString(),
    ["Pool__MaxSize"] = Pool.ToString(),
    ["Logging__LogLevel__Default"] = "Warning",
});
using var http = new HttpClient { BaseAddress = orchestrator.BaseUri, Timeout = TimeSpan.FromSeconds(120) };
var clock = Stopwatch.StartNew();

async Task<HostSample> AtRestAsync()
{
    // The pool full and idle: the moment the samples compare.
    while (true)
    {
        var pool = await http.GetFromJsonAsync<JsonElement>("/api/pool");
        if (pool.GetProperty("available").GetInt32() == Pool && pool.GetProperty("starting").GetInt32() == 0 &&
            pool.GetProperty("activeSessions").GetInt32() == 0)
        {
            await Task.Delay(2000); // exits and folder deletions of the last session settle
            return HostSample.Take(clock.Elapsed, orchestrator.Pid, workRoot);
        }
        await Task.Delay(250);
    }
}

async Task UseOneSessionAsync()
{
    var created = await (await http.PostAsJsonAsync("/api/sessions?wait=true", new { url = site.Url, width = 800, height = 600 }))
        .Content.ReadFromJsonAsync<JsonElement>();
    var id = created.GetProperty("sessionId").GetString()!;
    using (var socket = new ClientWebSocket())
    {
        await socket.ConnectAsync(new UriBuilder(orchestrator.BaseUri) { Scheme = "ws", Path = $"/ws/sessions/{id}" }.Uri, CancellationToken.None);
        await Stats.CountFramesAsync(socket, TimeSpan.FromSeconds(2));
        // The count ends its read by cancelling it, which aborts the socket: the client just goes away, as tabs do.
    }
    (await http.DeleteAsync($"/api/sessions/{id}")).EnsureSuccessStatusCode();
}

var samples = new List<HostSample> { await AtRestAsync() };
Console.WriteLine($"at rest: {samples[0]}");
var sessions = 0;
var nextSample = TimeSpan.FromMinutes(1);
while (clock.Elapsed < TimeSpan.FromMinutes(minutes))
{
    await UseOneSessionAsync();
    sessions++;
    if (clock.Elapsed >= nextSample)
    {
        samples.Add(await AtRestAsync());
        Console.WriteLine($"{clock.Elapsed.TotalMinutes,5:0.0} min, {sessions} sessions: {samples[^1]}");
        nextSample += TimeSpan.FromMinutes(1);
    }
}
samples.Add(await AtRestAsync());
var (first, last) = (samples[0], samples[^1]);
var hours = (last.At - first.At).TotalHours;
// Memory growth: the slope of RSS over the samples after the first minute (start-up allocations settle there).
var steady = samples.Skip(1).ToList();
var slope = steady.Count > 2 ? Slope(steady.Select(s => (s.At.TotalHours, (double)s.RssKiB / 1024)).ToList()) : 0;
Console.WriteLine($"soak: {sessions} sessions in {clock.Elapsed.TotalMinutes:0.0} min ({sessions / clock.Elapsed.TotalMinutes:0.0}/min)");
Console.WriteLine($"leaked processes {last.Processes - first.Processes}, file descriptors {last.FileDescriptors - first.FileDescriptors}, " +
    $"work folders {last.WorkFolders - first.WorkFolders}; orchestrator RSS {first.RssKiB / 1024} -> {last.RssKiB / 1024} MiB, " +
    $"{slope:+0.0;-0.0} MiB/h after the first minute ({hours:0.00} h)");
Directory.Delete(workRoot, recursive: true);

static double Slope(List<(double X, double Y)> points)
{
    var mx = points.Average(p => p.X);
    var my = points.Average(p => p.Y);
    var d = points.Sum(p => (p.X - mx) * (p.X - mx));
    return d == 0 ? 0 : points.Sum(p => (p.X - mx) * (p.Y - my)) / d;
}
