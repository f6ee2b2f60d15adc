using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Pool;

/// <summary>Reading the pool through GET /api/pool, and timing creates as a client sees them.</summary>
public static class PoolProbes
{
    public static async Task<JsonElement> GetPoolAsync(this OrchestratorProcess orchestrator) =>
        await orchestrator.Http.GetFromJsonAsync<JsonElement>("/api/pool");

    /// <summary>Polls GET /api/pool until <paramref name="condition"/> holds; fails with the last state otherwise.</summary>
    public static async Task<JsonElement> WaitForPoolAsync(this OrchestratorProcess orchestrator, Func<JsonElement, bool> condition,
        TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        JsonElement last = default;
        while (deadline.Elapsed < timeout)
        {
            last = await orchestrator.GetPoolAsync();
            if (condition(last))
            {
                return last;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"pool never showed {what} within {timeout}; last: {last}");
    }

    public static int Int(this JsonElement e, string name) => e.GetProperty(name).GetInt32();

    /// <summary>POST ?wait=true: returns the ready session and the client-side create→ready time.</summary>
    public static async Task<(JsonElement Session, double Ms)> CreateTimedAsync(this OrchestratorProcess orchestrator, string url,
        int? width = null, int? height = null)
    {
        var clock = Stopwatch.StartNew();
        var response = await orchestrator.Http.PostAsJsonAsync("/api/sessions?wait=true", new { url, width, height });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var ms = clock.Elapsed.TotalMilliseconds;
        Assert.True(response.IsSuccessStatusCode, $"create failed: {(int)response.StatusCode} {body}");
        Assert.Equal("ready", body.GetProperty("status").GetString());
        return (body, ms);
    }

    public static string Id(this JsonElement session) => session.GetProperty("sessionId").GetString()!;

    public static async Task<bool> PoolHitAsync(this OrchestratorProcess orchestrator, string id) =>
        (await orchestrator.GetSessionAsync(id)).GetProperty("metrics").GetProperty("poolHit").GetBoolean();

    /// <summary>Waits until the runner reports a page title starting with <paramref name="prefix"/> (GET metrics.title).</summary>
    public static async Task<string> WaitForTitleAsync(this OrchestratorProcess orchestrator, string id, string prefix, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        string? title = null;
        while (deadline.Elapsed < timeout)
        {
            var metrics = (await orchestrator.GetSessionAsync(id)).GetProperty("metrics");
            title = metrics.GetProperty("title").ValueKind == JsonValueKind.String ? metrics.GetProperty("title").GetString() : null;
            if (title is not null && title.StartsWith(prefix, StringComparison.Ordinal))
            {
                return title;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"session {id} never showed a title starting with '{prefix}'; last: {title}");
    }
}
