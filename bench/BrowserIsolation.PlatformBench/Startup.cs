using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace BrowserIsolation.PlatformBench;

/// <summary>Create→ready as a client sees it (POST ?wait=true), and how fast the warm pool refills.</summary>
internal static class Startup
{
    public static async Task<bool> PoolEnabledAsync(HttpClient http)
    {
        try
        {
            return (await http.GetFromJsonAsync<JsonElement>("/api/pool")).GetProperty("enabled").GetBoolean();
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Sequential creates, each deleted before the next; with <paramref name="waitForPool"/>, each starts once a warm runner is there.</summary>
    public static async Task MeasureAsync(HttpClient http, string url, int count, string label, bool waitForPool)
    {
        var clientMs = new List<double>();
        var serverMs = new List<double>();
        var hits = 0;
        for (var i = 0; i < count; i++)
        {
            if (waitForPool)
            {
                await WaitForPoolAsync(http, p => p.GetProperty("available").GetInt32() >= 1, TimeSpan.FromSeconds(60));
            }
            var clock = Stopwatch.StartNew();
            var response = await http.PostAsJsonAsync("/api/sessions?wait=true", new { url, width = 1280, height = 720 });
            var session = await response.Content.ReadFromJsonAsync<JsonElement>();
            var elapsed = clock.Elapsed.TotalMilliseconds;
            if (!session.TryGetProperty("status", out var status) || status.GetString() != "ready")
            {
                throw new InvalidOperationException($"session did not start: {session}");
            }
            var id = session.GetProperty("sessionId").GetString()!;
            clientMs.Add(elapsed);
            serverMs.Add(session.GetProperty("startupMs").GetDouble());
            var details = await http.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}");
            hits += details.GetProperty("metrics").GetProperty("poolHit").GetBoolean() ? 1 : 0;
            await http.DeleteAsync($"/api/sessions/{id}");
        }
        Console.WriteLine($"{label} (n={count}, {hits} pool hits): median {Stats.Percentile(clientMs, 50):0} ms, p95 {Stats.Percentile(clientMs, 95):0} ms, " +
            $"min {clientMs.Min():0} ms; server-side startupMs median {Stats.Percentile(serverMs, 50):0} ms");
    }

    /// <summary>Waits for a full pool of <paramref name="size"/>, creates that many sessions at once, and times the refill.</summary>
    public static async Task MeasureRefillAsync(HttpClient http, string url, int size)
    {
        await WaitForPoolAsync(http, p => p.GetProperty("available").GetInt32() >= size, TimeSpan.FromSeconds(120));
        var clock = Stopwatch.StartNew();
        var sessions = await Task.WhenAll(Enumerable.Range(0, size).Select(async _ =>
        {
            var response = await http.PostAsJsonAsync("/api/sessions?wait=true", new { url, width = 1280, height = 720 });
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return (Body: body, Ms: clock.Elapsed.TotalMilliseconds);
        }));
        var allReady = clock.Elapsed.TotalMilliseconds;
        await WaitForPoolAsync(http, p => p.GetProperty("available").GetInt32() >= size, TimeSpan.FromSeconds(120));
        var refilled = clock.Elapsed.TotalMilliseconds;
        Console.WriteLine($"burst of {size} creates on a full pool of {size}: all ready after {allReady:0} ms " +
            $"(slowest {sessions.Max(s => s.Ms):0} ms); pool full again {refilled:0} ms after the burst");
        foreach (var (body, _) in sessions)
        {
            await http.DeleteAsync($"/api/sessions/{body.GetProperty("sessionId").GetString()}");
        }
    }

    private static async Task WaitForPoolAsync(HttpClient http, Func<JsonElement, bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var pool = await http.GetFromJsonAsync<JsonElement>("/api/pool");
            if (condition(pool))
            {
                return;
            }
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"pool never reached the state wanted: {pool}");
            }
            await Task.Delay(20);
        }
    }
}
