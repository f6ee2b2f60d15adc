using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static BrowserIsolation.Tests.E2e.WebUiTests;
using static BrowserIsolation.Tests.Integration.Platform.SessionLifecycleTests;

namespace BrowserIsolation.Tests.E2e;

/// <summary>
/// Two orchestrator replicas on one real Redis behind the Web host, viewers in real Chromium pages and REST load through
/// it; one replica is SIGKILLed. Its viewers reconnect through the Web UI (no reload, no new join), no API request
/// fails (the Web host retries undelivered requests on the other replica), and the killed replica's restart adopts its session.
/// </summary>
[Trait("Category", "E2e")]
public sealed class ReplicaFailoverUiTests(ITestOutputHelper output)
{
    private const int Viewers = 4;

    // Records every change of the control connection's state, and marks the document so a reload would show.
    private const string WatchConnection = """
        () => { window.__biMarker = 'joined once'; window.__biLog = []; let last = null;
                setInterval(() => { const s = document.querySelector('[data-testid=connection]')?.getAttribute('data-connection');
                                    if (s !== last) { last = s; window.__biLog.push([Date.now(), s]); } }, 20); }
        """;

    [Fact]
    public async Task A_killed_replicas_viewers_reconnect_through_the_Web_UI_and_its_restart_adopts_the_session()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var site = await TestSite.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__sessions"] = redis.ConnectionString,
            ["Pool__Enabled"] = "false",
            ["Pool__ReconcileInterval"] = "00:00:02",
        };
        var a = await OrchestratorProcess.StartAsync(settings);
        await using var _ = a; // disposed last: it removes the work root its restart shares
        await using var b = await OrchestratorProcess.StartAsync(settings);
        await using var web = await WebHostProcess.StartAsync(a.BaseUri, b.BaseUri);
        var sessionId = await a.CreateReadySessionAsync(site.Url(TestSite.Pages.ClickToBlue));
        var runnerDir = RunnerLeftovers.RunnerDirOf(a.WorkRoot, sessionId);
        var runnerPid = RunnerLeftovers.RunnerPid(runnerDir)!.Value;

        await using var browser = await PlaywrightBrowser.LaunchAsync();
        var pages = new List<IPage>();
        for (var i = 0; i < Viewers; i++)
        {
            var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
            await page.GotoAsync(new Uri(web.BaseUri, $"/?session={sessionId}&transport=jpeg").AbsoluteUri);
            await Assertions.Expect(page.GetByTestId("status")).ToHaveAttributeAsync("data-status", "ready", new() { Timeout = 30_000 });
            await WaitForCanvasColorAsync(page, 255, 0, 0, $"viewer {i}: the red page");
            await page.EvaluateAsync(WatchConnection);
            pages.Add(page);
        }

        using var load = new ApiLoad(web.BaseUri, $"/api/sessions/{sessionId}");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var killedAt = load.Elapsed;
        var killedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await a.KillAsync();

        // Every viewer is connected again, and at least one of them had its connection through the killed replica.
        var reconnects = new List<long>();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            reconnects.Clear();
            var allOpen = true;
            foreach (var page in pages)
            {
                var log = await page.EvaluateAsync<JsonElement>("() => window.__biLog");
                var entries = log.EnumerateArray().Select(e => (At: e[0].GetInt64(), State: e[1].GetString())).ToList();
                allOpen &= entries[^1].State == "open";
                if (entries.Any(e => e.State == "reconnecting") && entries[^1].State == "open")
                {
                    reconnects.Add(entries[^1].At - killedAtMs);
                }
            }
            if (allOpen && reconnects.Count > 0)
            {
                break;
            }
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the viewers did not all reconnect within 30 s");
            await Task.Delay(50);
        }

        // Input and frames go through the surviving replica: a click on one viewer turns every viewer's picture blue.
        var clicked = Stopwatch.StartNew();
        await pages[0].GetByTestId("screen-canvas").ClickAsync();
        foreach (var (page, i) in pages.Select((p, i) => (p, i)))
        {
            await WaitForCanvasColorAsync(page, 0, 0, 255, $"viewer {i}: blue after the click");
        }
        var clickMs = clicked.ElapsedMilliseconds;
        foreach (var page in pages)
        {
            Assert.Equal("joined once", await page.EvaluateAsync<string?>("() => window.__biMarker"));
        }
        Assert.Equal("ready", (await b.GetSessionAsync(sessionId)).GetProperty("status").GetString());

        await Task.Delay(TimeSpan.FromSeconds(1));
        var (total, failures, lastFailure) = await load.StopAsync(killedAt);
        output.WriteLine($"replica SIGKILL under {total} API requests through the Web host ({load.Rate:F0}/s): " +
            $"{reconnects.Count} of {Viewers} viewers were on it and reconnected after {string.Join(", ", reconnects.Order())} ms; " +
            $"a click reached every viewer {clickMs} ms later; {failures} API requests failed, the last " +
            $"{(lastFailure is { } f ? $"{(f - killedAt).TotalMilliseconds:F0} ms" : "never")} after the kill; session lost: none");
        Assert.Equal(0, failures);
        Assert.True(lastFailure is null || lastFailure.Value - killedAt < TimeSpan.FromSeconds(3), "API requests still failed 3 s after the kill");

        // The killed replica restarts on its work root and adopts its runner: the session stays ready and streaming.
        await using var restarted = await OrchestratorProcess.StartAsync(settings, a.WorkRoot);
        await Task.Delay(TimeSpan.FromSeconds(5)); // two reconciliation passes
        Assert.True(RunnerLeftovers.IsAlive(runnerPid), "the adopted runner was ended by the restart");
        Assert.Equal("ready", (await restarted.GetSessionAsync(sessionId)).GetProperty("status").GetString());

        using var http = new HttpClient { BaseAddress = web.BaseUri };
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/sessions/{sessionId}")).StatusCode);
        await Assertions.Expect(pages[0].GetByTestId("status")).Not.ToHaveAttributeAsync("data-status", "ready", new() { Timeout = 10_000 });
        await Eventually(() => !RunnerLeftovers.IsAlive(runnerPid) && !Directory.Exists(runnerDir), TimeSpan.FromSeconds(15),
            "the session's runner ended and its folder removed");
    }

    /// <summary>Four loops of GET requests through the Web host, each result kept with its time.</summary>
    private sealed class ApiLoad : IDisposable
    {
        private readonly HttpClient _http;
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<(TimeSpan At, int Status)> _results = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Task _loops;

        public ApiLoad(Uri baseUri, string path)
        {
            _http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(5) };
            _loops = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => LoopAsync(path))));
        }

        public TimeSpan Elapsed => _clock.Elapsed;

        public double Rate => _results.Count / _clock.Elapsed.TotalSeconds;

        private async Task LoopAsync(string path)
        {
            while (!_stop.IsCancellationRequested)
            {
                int status;
                try
                {
                    using var response = await _http.GetAsync(path, _stop.Token);
                    status = (int)response.StatusCode;
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    status = 0;
                }
                _results.Enqueue((_clock.Elapsed, status));
                await Task.Delay(10);
            }
        }

        /// <summary>Requests made, failures, and when the last failure was; none may fail before the kill.</summary>
        public async Task<(int Total, int Failures, TimeSpan? LastFailure)> StopAsync(TimeSpan killedAt)
        {
            await _stop.CancelAsync();
            await _loops.WaitAsync(TimeSpan.FromSeconds(10));
            var failed = _results.Where(r => r.Status != 200).ToList();
            Assert.DoesNotContain(failed, f => f.At < killedAt);
            return (_results.Count, failed.Count, failed.Count == 0 ? null : failed.Max(f => f.At));
        }

        public void Dispose()
        {
            _stop.Cancel();
            _http.Dispose();
            _stop.Dispose();
        }
    }
}
