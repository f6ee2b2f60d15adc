using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Reliability;

/// <summary>
/// Redis killed under live sessions and started again empty (no persistence, the worst case): creates get
/// <c>503 store_unavailable</c> meanwhile, the live sessions keep streaming, the orchestrator writes them back, and the
/// API works again within 2 s of Redis being back.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RedisOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    // 50 live sessions as the issue asks; BI_CHAOS_SESSIONS lowers it on a smaller machine.
    private static readonly int Sessions = int.TryParse(Environment.GetEnvironmentVariable("BI_CHAOS_SESSIONS"), out var n) ? n : 50;
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

    [Fact]
    public async Task Redis_killed_and_restarted_empty_loses_no_live_session_and_the_api_is_back_within_two_seconds()
    {
        await using var orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__sessions"] = _redis.ConnectionString,
            ["Sessions__MaxSessions"] = (Sessions + 5).ToString(),
            ["Sessions__StartTimeout"] = "00:02:00",
            ["Pool__ReconcileInterval"] = "00:00:02",
            ["Pool__OrphanGrace"] = "00:00:01",
        });
        var url = _site.Url(TestSite.Pages.Red);
        var clock = Stopwatch.StartNew();
        var ids = new List<string>();
        using (var gate = new SemaphoreSlim(3))
        {
            ids.AddRange(await Task.WhenAll(Enumerable.Range(0, Sessions).Select(async _ =>
            {
                await gate.WaitAsync();
                try
                {
                    return await orchestrator.CreateReadySessionAsync(url, 640, 360);
                }
                finally
                {
                    gate.Release();
                }
            })));
        }
        var startMs = clock.ElapsedMilliseconds;
        var sockets = new List<SessionSocket>();
        try
        {
            foreach (var id in ids)
            {
                var socket = new SessionSocket(await orchestrator.ConnectAsync(id));
                sockets.Add(socket);
                await socket.WaitForFrameAsync(_ => true, TimeSpan.FromSeconds(20), $"session {id}'s picture");
            }

            _redis.Stop();
            var refused = 0;
            var outage = Stopwatch.StartNew();
            while (outage.Elapsed < TimeSpan.FromSeconds(3))
            {
                using var create = await orchestrator.Http.PostAsJsonAsync("/api/sessions", new { url });
                Assert.Equal(HttpStatusCode.ServiceUnavailable, create.StatusCode);
                Assert.Equal("store_unavailable", (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
                refused++;
                await Task.Delay(100);
            }
            Assert.All(sockets, s => Assert.Equal(WebSocketState.Open, s.Socket.State));

            await _redis.StartAgainAsync();
            var back = Stopwatch.StartNew();
            HttpStatusCode status;
            do
            {
                using var probe = await orchestrator.Http.GetAsync($"/api/sessions/{ids[0]}");
                status = probe.StatusCode;
                if (status != HttpStatusCode.OK)
                {
                    await Task.Delay(50);
                }
            }
            while (status != HttpStatusCode.OK && back.Elapsed < TimeSpan.FromSeconds(10));
            var backMs = back.ElapsedMilliseconds;
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(backMs < 2000, $"the API answered again {backMs} ms after Redis was back");

            // Two reconciliation passes later every session is still ready, and still streams.
            await Task.Delay(TimeSpan.FromSeconds(5));
            var listed = await orchestrator.Http.GetFromJsonAsync<JsonElement>("/api/sessions");
            var ready = listed.GetProperty("sessions").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "ready");
            output.WriteLine($"{Sessions} sessions ready in {startMs} ms; Redis down 3 s: {refused} creates refused with 503; " +
                $"API back {backMs} ms after Redis; {ready}/{Sessions} sessions ready afterwards");
            Assert.Equal(Sessions, ready);
            Assert.All(sockets, s => Assert.Equal(WebSocketState.Open, s.Socket.State));
            foreach (var id in ids.Take(5))
            {
                using var late = new SessionSocket(await orchestrator.ConnectAsync(id));
                await late.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 255, 0, 0), TimeSpan.FromSeconds(10), "a late joiner's picture");
            }
            Assert.Equal(HttpStatusCode.Created, (await orchestrator.Http.PostAsJsonAsync("/api/sessions", new { url })).StatusCode);
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }
}
