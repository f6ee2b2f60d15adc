using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;
using BrowserIsolation.Tests.Integration.Pool;
using static BrowserIsolation.Tests.Integration.Platform.SessionLifecycleTests;

namespace BrowserIsolation.Tests.Integration.Redis;

/// <summary>Orchestrator processes sharing one real redis-server, with real runners and Chromium.</summary>
[Trait("Category", "Integration")]
public sealed class RedisReplicaTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private TestSite _site = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _site = await TestSite.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private Task<OrchestratorProcess> ReplicaAsync(Dictionary<string, string>? extra = null, string? workRoot = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__sessions"] = _redis.ConnectionString,
            ["Pool__MinSize"] = "1",
            ["Pool__MaxSize"] = "1",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        return OrchestratorProcess.StartAsync(settings, workRoot);
    }

    /// <summary>The session as stored (runner id, address and token are not in the public API).</summary>
    private async Task<JsonElement> StoredAsync(string sessionId)
    {
        var db = await _redis.DatabaseAsync();
        var json = await db.HashGetAsync($"bi:default:session:{sessionId}", "json");
        Assert.False(json.IsNull, $"session {sessionId} is not in Redis");
        return JsonDocument.Parse((string)json!).RootElement;
    }

    [Fact]
    public async Task TwoReplicasAdmitAtMostMaxSessionsAndNeverHandOneRunnerToTwoSessions()
    {
        var limits = new Dictionary<string, string> { ["Sessions__MaxSessions"] = "6", ["Pool__MaxSize"] = "2" };
        await using var a = await ReplicaAsync(limits);
        await using var b = await ReplicaAsync(limits);
        await a.WaitForPoolAsync(p => p.Int("available") >= 1, TimeSpan.FromSeconds(30), "a warm runner");

        var url = _site.Url(TestSite.Pages.Red);
        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            var replica = i % 2 == 0 ? a : b;
            using var response = await replica.Http.PostAsJsonAsync("/api/sessions", new { url });
            return (Status: response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>(), Replica: replica);
        }));
        var created = responses.Where(r => r.Status == HttpStatusCode.Created).ToList();
        var refused = responses.Where(r => r.Status != HttpStatusCode.Created).ToList();
        Assert.Equal(6, created.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal((HttpStatusCode)429, r.Status);
            Assert.Equal("too_many_sessions", r.Body.GetProperty("code").GetString());
        });

        var ids = created.Select(r => r.Body.Id()).ToList();
        foreach (var id in ids)
        {
            await a.WaitForStatusAsync(id, "ready", TimeSpan.FromSeconds(60));
        }
        var listed = (await b.Http.GetFromJsonAsync<JsonElement>("/api/sessions")).GetProperty("sessions").EnumerateArray()
            .Count(s => s.GetProperty("status").GetString() is "pending" or "ready");
        Assert.Equal(6, listed);

        // Every session has its own runner, and that runner says it serves exactly that session.
        var stored = await Task.WhenAll(ids.Select(StoredAsync));
        Assert.Equal(6, stored.Select(s => s.GetProperty("RunnerId").GetString()).Distinct().Count());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var session in stored)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(session.GetProperty("RunnerUri").GetString()!), "stats"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.GetProperty("RunnerToken").GetString());
            using var response = await http.SendAsync(request);
            var stats = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(session.GetProperty("SessionId").GetString(), stats.GetProperty("sessionId").GetString());
        }

        // Deleting everything through A ends B's runners too (A asks B to stop the ones it cannot reach).
        var runnerIds = stored.Select(s => s.GetProperty("RunnerId").GetString()!).ToList();
        foreach (var id in ids)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await a.Http.DeleteAsync($"/api/sessions/{id}")).StatusCode);
        }
        await Eventually(() => runnerIds.All(r => !Directory.Exists(Path.Combine(a.WorkRoot, r)) && !Directory.Exists(Path.Combine(b.WorkRoot, r))),
            TimeSpan.FromSeconds(20), "every session's runner ended on whichever replica started it");

        // No pool runner leaked: every runner still alive on either replica is one the shared pool lists, within its size.
        var db = await _redis.DatabaseAsync();
        async Task<bool> OnlyPoolRunnersLeft()
        {
            var pooled = (await db.HashKeysAsync("bi:default:pool:available")).Concat(await db.HashKeysAsync("bi:default:pool:starting"))
                .Select(k => (string)k!).ToHashSet();
            var alive = RunnerLeftovers.RunnerDirs(a.WorkRoot).Concat(RunnerLeftovers.RunnerDirs(b.WorkRoot)).Select(Path.GetFileName).ToList();
            return pooled.Count <= 2 && alive.All(r => pooled.Contains(r!)) && alive.Count == pooled.Count;
        }
        var leakCheck = Stopwatch.StartNew();
        while (!await OnlyPoolRunnersLeft())
        {
            Assert.True(leakCheck.Elapsed < TimeSpan.FromSeconds(30), "runners alive that no session or pool entry owns");
            await Task.Delay(200);
        }
        Console.WriteLine($"100 creates on 2 replicas: {created.Count} admitted (MaxSessions 6), {refused.Count} refused with 429, " +
            $"{stored.Select(s => s.GetProperty("RunnerId").GetString()).Distinct().Count()} distinct runners, no runner left but the pool's");
    }

    [Fact]
    public async Task AWebSocketThroughReplicaBReceivesFramesAndADeleteThroughAClosesIt()
    {
        await using var a = await ReplicaAsync();
        await using var b = await ReplicaAsync();
        var id = await a.CreateReadySessionAsync(_site.Url(TestSite.Pages.Red));

        using var socket = new SessionSocket(await b.ConnectAsync(id));
        await socket.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 255, 0, 0), TimeSpan.FromSeconds(15), "the red page through B");

        Assert.Equal(HttpStatusCode.NoContent, (await a.Http.DeleteAsync($"/api/sessions/{id}")).StatusCode);
        var status = await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "status", TimeSpan.FromSeconds(5), "B told the session ended");
        Assert.Equal("terminated", status.GetProperty("status").GetString());
        Assert.Null(await socket.ReceiveAsync(TimeSpan.FromSeconds(5)));
        Assert.NotEqual(System.Net.WebSockets.WebSocketState.Open, socket.Socket.State);
    }

    [Fact]
    public async Task ARestartedOrchestratorKeepsItsSessionsEndsOrphansAndFailsSessionsWhoseRunnerDied()
    {
        var settings = new Dictionary<string, string>
        {
            ["Pool__OrphanGrace"] = "00:00:01",
            ["Pool__ReconcileInterval"] = "00:00:02",
            ["Logging__LogLevel__BrowserIsolation.Orchestrator.Runners.RunnerReconciler"] = "Debug",
        };
        var first = await ReplicaAsync(settings);
        await using var _ = first; // disposed last: it removes the shared work root
        var kept = await first.CreateReadySessionAsync(_site.Url(TestSite.Pages.Red));
        var doomed = await first.CreateReadySessionAsync(_site.Url(TestSite.Pages.Red));
        await first.WaitForPoolAsync(p => p.Int("available") == 1, TimeSpan.FromSeconds(30), "a warm runner");
        var keptRunner = (await StoredAsync(kept)).GetProperty("RunnerId").GetString()!;
        var doomedRunner = (await StoredAsync(doomed)).GetProperty("RunnerId").GetString()!;

        await first.KillAsync();
        // While it is down: one session's runner dies, and the pool entry of the warm runner is lost, which makes
        // that runner an orphan (alive, owned by nothing).
        var doomedPid = RunnerLeftovers.RunnerPid(Path.Combine(first.WorkRoot, doomedRunner))!.Value;
        Process.Start("kill", ["-KILL", doomedPid.ToString()])!.WaitForExit();
        var db = await _redis.DatabaseAsync();
        var pooled = (await db.HashKeysAsync("bi:default:pool:available")).Select(k => (string)k!).ToList();
        var orphan = Assert.Single(pooled);
        await db.KeyDeleteAsync("bi:default:pool:available");
        var orphanPid = RunnerLeftovers.RunnerPid(Path.Combine(first.WorkRoot, orphan))!.Value;
        Assert.True(RunnerLeftovers.IsAlive(orphanPid));

        await using var second = await ReplicaAsync(settings, first.WorkRoot);
        var listed = await second.GetSessionAsync(kept);
        Assert.Equal("ready", listed.GetProperty("status").GetString());
        await second.WaitForStatusAsync(doomed, "error", TimeSpan.FromSeconds(15));
        await Eventually(() => !RunnerLeftovers.IsAlive(orphanPid) && !Directory.Exists(Path.Combine(first.WorkRoot, orphan)),
            TimeSpan.FromSeconds(15), "the orphan runner ended");

        using (var socket = new SessionSocket(await second.ConnectAsync(kept)))
        {
            await socket.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 255, 0, 0), TimeSpan.FromSeconds(15), "the kept session still streaming");
        }
        var keptDir = Path.Combine(first.WorkRoot, keptRunner);
        var keptPid = RunnerLeftovers.RunnerPid(keptDir)!.Value;
        Assert.Equal(HttpStatusCode.NoContent, (await second.Http.DeleteAsync($"/api/sessions/{kept}")).StatusCode);
        await Eventually(() => !RunnerLeftovers.IsAlive(keptPid) && !Directory.Exists(keptDir), TimeSpan.FromSeconds(15),
            "the adopted runner ended and its work dir removed");
        Assert.False(Directory.Exists(Path.Combine(first.WorkRoot, doomedRunner)), "the dead runner's work dir is reclaimed");
    }

    [Fact]
    public async Task WhenRedisStopsTheApiAnswers503FastAndWorksAgainWhenItIsBack()
    {
        await using var a = await ReplicaAsync(new() { ["Pool__Enabled"] = "false" });
        await a.CreateReadySessionAsync(_site.Url(TestSite.Pages.Red));

        _redis.Stop();
        foreach (var call in new Func<Task<HttpResponseMessage>>[]
        {
            () => a.Http.GetAsync("/api/sessions"),
            () => a.Http.PostAsJsonAsync("/api/sessions", new { url = _site.Url(TestSite.Pages.Red) }),
            () => a.Http.GetAsync("/api/sessions/abc"),
        })
        {
            var clock = Stopwatch.StartNew();
            using var response = await call();
            var elapsed = clock.Elapsed;
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("store_unavailable", problem.GetProperty("code").GetString());
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(elapsed < TimeSpan.FromSeconds(1.5), $"503 took {elapsed.TotalMilliseconds:0} ms");
        }

        await _redis.StartAgainAsync();
        var deadline = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            using var response = await a.Http.GetAsync("/api/sessions");
            status = response.StatusCode;
        }
        while (status != HttpStatusCode.OK && deadline.Elapsed < TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.OK, status);
        await a.CreateReadySessionAsync(_site.Url(TestSite.Pages.Red));
    }
}
