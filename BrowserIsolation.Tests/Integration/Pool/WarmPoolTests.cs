using System.Net;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Pool;

/// <summary>The warm pool with the embedded (in-memory) store, real runners and Chromium.</summary>
[Trait("Category", "Integration")]
public sealed class WarmPoolTests : IAsyncLifetime
{
    private TestSite _site = null!;

    public async Task InitializeAsync() => _site = await TestSite.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    private static Task<OrchestratorProcess> StartAsync(Dictionary<string, string> settings) => OrchestratorProcess.StartAsync(settings);

    [Fact]
    public async Task APoolHitIsReadyMuchFasterThanAColdStart()
    {
        await using var orchestrator = await StartAsync(new() { ["Pool__MinSize"] = "1", ["Pool__MaxSize"] = "1" });
        var hits = new List<double>();
        var misses = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            await orchestrator.WaitForPoolAsync(p => p.Int("available") == 1, TimeSpan.FromSeconds(30), "one warm runner");
            var (hit, hitMs) = await orchestrator.CreateTimedAsync(_site.Url(TestSite.Pages.Red));
            // The pool held one runner and it is taken: the next create starts cold (or takes the refill mid-start).
            var (miss, missMs) = await orchestrator.CreateTimedAsync(_site.Url(TestSite.Pages.Red));
            Assert.True(await orchestrator.PoolHitAsync(hit.Id()), "the first create should be a pool hit");
            Assert.False(await orchestrator.PoolHitAsync(miss.Id()), "the second create should be a miss");
            hits.Add(hitMs);
            misses.Add(missMs);
            await orchestrator.Http.DeleteAsync($"/api/sessions/{hit.Id()}");
            await orchestrator.Http.DeleteAsync($"/api/sessions/{miss.Id()}");
        }
        var hitMedian = hits.Order().ElementAt(1);
        var missMedian = misses.Order().ElementAt(1);
        Assert.True(hitMedian < missMedian / 3,
            $"pool hit median {hitMedian:0} ms should be under a third of the cold median {missMedian:0} ms (hits {string.Join(", ", hits.Select(h => h.ToString("0")))}; misses {string.Join(", ", misses.Select(m => m.ToString("0")))})");
    }

    [Fact]
    public async Task ANewSessionNeverSeesThePreviousSessionsCookiesOrLocalStorage()
    {
        await using var orchestrator = await StartAsync(new() { ["Pool__MinSize"] = "1", ["Pool__MaxSize"] = "1" });
        var runnersSeen = new HashSet<string>();
        for (var round = 0; round < 2; round++)
        {
            await orchestrator.WaitForPoolAsync(p => p.Int("available") == 1, TimeSpan.FromSeconds(30), "one warm runner");
            var before = RunnerLeftovers.RunnerDirs(orchestrator.WorkRoot).Select(Path.GetFileName).ToHashSet();
            var (session, _) = await orchestrator.CreateTimedAsync(_site.Url(TestSite.Pages.Storage));
            Assert.True(await orchestrator.PoolHitAsync(session.Id()));
            // The page reports what storage it found before setting its own: nothing, every time.
            Assert.Equal("had:none|none", await orchestrator.WaitForTitleAsync(session.Id(), "had:", TimeSpan.FromSeconds(15)));
            var response = await orchestrator.Http.DeleteAsync($"/api/sessions/{session.Id()}");
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            // The runner that served it is destroyed, never returned to the pool.
            foreach (var dir in before)
            {
                runnersSeen.Add(dir!);
            }
            await Platform.SessionLifecycleTests.Eventually(() => before.All(d => !Directory.Exists(Path.Combine(orchestrator.WorkRoot, d!))),
                TimeSpan.FromSeconds(15), "the used runner's work dir removed");
        }
        Assert.Equal(2, runnersSeen.Count);
    }

    [Fact]
    public async Task ASizeNoPooledRunnerHasStillWorks()
    {
        await using var orchestrator = await StartAsync(new() { ["Pool__MinSize"] = "1", ["Pool__MaxSize"] = "1" });
        await orchestrator.WaitForPoolAsync(p => p.Int("available") == 1, TimeSpan.FromSeconds(30), "one warm runner (1280x720)");
        var (session, _) = await orchestrator.CreateTimedAsync(_site.Url(TestSite.Pages.Red), 1000, 700);
        Assert.True(await orchestrator.PoolHitAsync(session.Id()), "a pooled runner is resized rather than passed over");
        using var socket = new SessionSocket(await orchestrator.ConnectAsync(session.Id()));
        var frame = await socket.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 255, 0, 0), TimeSpan.FromSeconds(15), "the red page");
        Assert.Equal((1000, 700), (frame.Width, frame.Height));
    }

    [Fact]
    public async Task ABurstRaisesThePoolTargetAndQuietTimeLowersItToTheMinimum()
    {
        await using var orchestrator = await StartAsync(new()
        {
            ["Pool__MinSize"] = "1",
            ["Pool__MaxSize"] = "3",
            ["Pool__DemandWindow"] = "00:00:08",
            ["Pool__CoolDown"] = "00:00:02",
            ["Pool__Headroom"] = "0.5",
            ["Sessions__MaxSessions"] = "10",
        });
        await orchestrator.WaitForPoolAsync(p => p.Int("available") == 1 && p.Int("target") == 1, TimeSpan.FromSeconds(30), "the minimum pool");

        // Sample the pool throughout: on two cores the burst's cold starts take seconds, so peaks are brief.
        using var stop = new CancellationTokenSource();
        int peakTarget = 0, peakSize = 0;
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var p = await orchestrator.GetPoolAsync();
                peakTarget = Math.Max(peakTarget, p.Int("target"));
                peakSize = Math.Max(peakSize, p.Int("available") + p.Int("starting"));
                await Task.Delay(100);
            }
        });
        var created = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => orchestrator.CreateSessionAsync(_site.Url(TestSite.Pages.Red))));
        foreach (var session in created)
        {
            await orchestrator.WaitForStatusAsync(session.Id(), "ready");
            await orchestrator.Http.DeleteAsync($"/api/sessions/{session.Id()}");
        }
        await orchestrator.WaitForPoolAsync(_ => peakSize > 1, TimeSpan.FromSeconds(15), "a pool grown above the minimum");
        // Once demand leaves the window and the cool-down passes, it shrinks back to the minimum.
        var quiet = await orchestrator.WaitForPoolAsync(p => p.Int("target") == 1 && p.Int("available") + p.Int("starting") == 1,
            TimeSpan.FromSeconds(40), "the minimum again");
        stop.Cancel();
        await sampler;
        Assert.InRange(peakTarget, 2, 3);
        Assert.Equal(1, quiet.Int("available"));
    }
}
