using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Docker;

/// <summary>Docker runners under faults: an image the daemon lacks, an orchestrator that stops, a daemon that restarts.</summary>
[Collection(DockerCollection.Name)]
[Trait("Category", "Docker")]
public sealed class DockerReliabilityTests(DockerFixture docker, ITestOutputHelper output)
{
    private const string PageUrl = "http://127.0.0.1:9/";

    [Fact]
    public async Task A_missing_image_costs_a_few_attempts_and_a_few_log_lines_and_creates_name_the_image()
    {
        var owner = DockerFixture.NewOwner();
        var settings = docker.OrchestratorSettings(owner);
        settings["Runner__Docker__Image"] = "browserisolation-runner:missing-" + owner;
        settings["Pool__Enabled"] = "true";
        settings["Pool__MinSize"] = "2";
        var orchestrator = await OrchestratorProcess.StartAsync(settings);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(20));
            var starts = (await orchestrator.Http.GetFromJsonAsync<JsonElement>("/api/pool")).GetProperty("runnerStarts");
            var health = await orchestrator.Http.GetStringAsync("/health");
            var attempts = starts.GetProperty("attempts").GetInt64();
            output.WriteLine($"20 s with a missing image: {attempts} start attempts, {orchestrator.Output.Length} bytes of log; {starts}; /health {health}");
            Assert.InRange(attempts, 1, 10);
            Assert.InRange(orchestrator.Output.Length, 1, 100_000);
            Assert.Contains("Degraded", health);
            Assert.Contains("missing-" + owner, health);

            var create = await orchestrator.Http.PostAsJsonAsync("/api/sessions", new { url = PageUrl });
            if (create.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                var problem = await create.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("runner_unavailable", problem.GetProperty("code").GetString());
                Assert.Contains("missing-" + owner, problem.GetProperty("detail").GetString());
            }
            else
            {
                // half-open at that instant: the create is the probe, and its session fails with the reason
                var id = (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessionId").GetString()!;
                var failed = await orchestrator.WaitForStatusAsync(id, "error");
                Assert.Contains("missing-" + owner, failed.GetProperty("error").GetString());
            }
            Assert.Empty(await docker.ContainersAsync("owner", owner, includeStopped: true));
        }
        finally
        {
            await orchestrator.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }

    [Fact]
    public async Task A_stopping_orchestrator_with_the_in_memory_store_ends_its_sessions_and_pool_containers()
    {
        var owner = DockerFixture.NewOwner();
        var settings = docker.OrchestratorSettings(owner);
        settings["Pool__Enabled"] = "true";
        settings["Pool__MinSize"] = "1";
        var orchestrator = await OrchestratorProcess.StartAsync(settings);
        try
        {
            await orchestrator.CreateReadySessionAsync(PageUrl);
            await DockerFixture.WaitUntilAsync(async () => (await docker.ContainersAsync("owner", owner)).Count >= 2, TimeSpan.FromSeconds(90));
            var before = (await docker.ContainersAsync("owner", owner)).Count;

            var took = orchestrator.Stop();
            var clock = Stopwatch.StartNew();
            await DockerFixture.WaitUntilAsync(async () => (await docker.ContainersAsync("owner", owner, includeStopped: true)).Count == 0,
                TimeSpan.FromSeconds(5));
            output.WriteLine($"{before} containers (session + pool); SIGTERM -> exit {took.TotalMilliseconds:0} ms, all gone {clock.ElapsedMilliseconds} ms later");
            Assert.True(took < TimeSpan.FromSeconds(20), $"stopped in {took.TotalSeconds:0.0} s");
        }
        finally
        {
            output.WriteLine(orchestrator.Output);
            await orchestrator.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }

    [Fact]
    public async Task A_daemon_restart_with_live_restore_keeps_sessions_streaming_and_refuses_only_cold_creates_meanwhile()
    {
        var daemon = new DaemonRestart(docker);
        var owner = DockerFixture.NewOwner();
        var settings = docker.OrchestratorSettings(owner);
        settings["Pool__Enabled"] = "true";
        settings["Pool__MinSize"] = "1";
        // Published ports go through docker-proxy, which dies with the daemon (moby#27880) even with live-restore: on a
        // bridge the orchestrator reaches the runners by their container address instead, which the kernel keeps routing.
        settings["Runner__Docker__ReachContainerDirectly"] = docker.Network == "bridge" ? "true" : "false";
        OrchestratorProcess? orchestrator = null;
        FrameWatch? frames = null;
        var daemonDown = false;
        try
        {
            await daemon.UpAsync(liveRestore: true);
            orchestrator = await OrchestratorProcess.StartAsync(settings);
            var sessionId = await orchestrator.CreateReadySessionAsync(PageUrl);
            var runnerId = (await orchestrator.GetSessionAsync(sessionId)).GetProperty("runnerId").GetString()!;
            var container = Assert.Single(await docker.ContainersAsync("runner", runnerId));
            var publishedPort = await daemon.PublishedHttpPortAsync(container.ID);
            await DockerFixture.WaitUntilAsync(async () => (await PoolAsync(orchestrator)).GetProperty("available").GetInt32() >= 1, TimeSpan.FromSeconds(90));
            frames = new FrameWatch(new SessionSocket(await orchestrator.ConnectAsync(sessionId)));
            await frames.WaitForFrameAfterAsync(TimeSpan.Zero, TimeSpan.FromSeconds(20));
            var logBefore = orchestrator.Output.Length;

            // The outage: dockerd stopped (containers keep running), probed from every side, then started again.
            var downAt = frames.Now;
            daemonDown = true;
            var stopping = await daemon.DownAsync(liveRestore: true);
            var publishedAnswers = publishedPort is { } port && await AcceptsAsync(port);
            var creates = new List<(HttpStatusCode Status, string? Code, string? SessionId)>();
            string? refusal = null;
            var outage = Stopwatch.StartNew();
            // Held down 8 s: long enough for the breaker's break to grow past the outage's end.
            while (outage.Elapsed < TimeSpan.FromSeconds(8))
            {
                var create = await orchestrator.Http.PostAsJsonAsync("/api/sessions", new { url = PageUrl });
                var body = await create.Content.ReadFromJsonAsync<JsonElement>();
                var code = body.TryGetProperty("code", out var c) ? c.GetString() : null;
                creates.Add((create.StatusCode, code, body.TryGetProperty("sessionId", out var id) ? id.GetString() : null));
                if (create.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    refusal ??= body.GetProperty("detail").GetString();
                }
                await Task.Delay(500);
            }
            var health = await orchestrator.Http.GetStringAsync("/health");
            var statusDuring = (await orchestrator.GetSessionAsync(sessionId)).GetProperty("status").GetString();
            var starting = frames.Now;
            var startTook = await daemon.UpAsync(liveRestore: true);
            daemonDown = false;
            var upAt = frames.Now;
            var gap = frames.LongestGap(downAt, upAt);
            var framesDuring = frames.FramesSince(downAt) - frames.FramesSince(upAt);
            var outageLog = orchestrator.Output[logBefore..];

            // After: the session still streams, a new create works, the pool refills, a delete removes its container.
            await frames.WaitForFrameAfterAsync(upAt, TimeSpan.FromSeconds(20));
            var createClock = Stopwatch.StartNew();
            string? newSession = null;
            while (newSession is null)
            {
                var create = await orchestrator.Http.PostAsJsonAsync("/api/sessions?wait=true", new { url = PageUrl });
                var body = await create.Content.ReadFromJsonAsync<JsonElement>();
                if (create.StatusCode == HttpStatusCode.Created && body.GetProperty("status").GetString() == "ready")
                {
                    newSession = body.GetProperty("sessionId").GetString();
                }
                else
                {
                    Assert.True(createClock.Elapsed < TimeSpan.FromSeconds(90), $"no create worked within 90 s after the daemon was back: {(int)create.StatusCode} {body}");
                    await Task.Delay(500);
                }
            }
            var createAfter = createClock.Elapsed;
            await DockerFixture.WaitUntilAsync(async () => (await PoolAsync(orchestrator)).GetProperty("available").GetInt32() >= 1, TimeSpan.FromSeconds(90));
            var refilledAfter = createClock.Elapsed;
            Assert.Equal("ready", (await orchestrator.GetSessionAsync(sessionId)).GetProperty("status").GetString());
            await frames.WaitForFrameAfterAsync(frames.Now, TimeSpan.FromSeconds(10));
            Assert.Null(frames.ClosedAt);
            await frames.DisposeAsync();
            frames = null;
            Assert.Equal(HttpStatusCode.NoContent, (await orchestrator.Http.DeleteAsync($"/api/sessions/{sessionId}")).StatusCode);
            await docker.WaitUntilGoneAsync(container.ID, TimeSpan.FromSeconds(15));
            var createdStates = new List<string>();
            foreach (var id in creates.Select(c => c.SessionId).OfType<string>())
            {
                createdStates.Add((await orchestrator.GetSessionAsync(id)).GetProperty("status").GetString()!);
            }
            foreach (var id in creates.Select(c => c.SessionId).Append(newSession).OfType<string>())
            {
                await orchestrator.Http.DeleteAsync($"/api/sessions/{id}");
            }
            var recoveryLog = orchestrator.Output[(logBefore + outageLog.Length)..];
            await orchestrator.DisposeAsync();
            orchestrator = null;
            var left = (await docker.ContainersAsync("owner", owner, includeStopped: true)).Count;

            var stackTraces = outageLog.Split('\n').Count(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
            output.WriteLine($"network {docker.Network} (runners reached {(docker.Network == "bridge" ? "by container address" : "on the host network")}), live-restore on");
            output.WriteLine($"daemon down {(upAt - downAt).TotalSeconds:0.0} s (docker-engine.sh down {stopping.TotalSeconds:0.0} s, held down {(starting - downAt - stopping).TotalSeconds:0.0} s, up {startTook.TotalSeconds:0.0} s)");
            output.WriteLine($"frames: {framesDuring} while the daemon was away, longest gap {gap.TotalMilliseconds:0} ms; session status meanwhile: {statusDuring}");
            output.WriteLine($"published port {publishedPort?.ToString() ?? "(none)"} (docker-proxy) while down: {(publishedAnswers ? "answered" : "refused")}");
            var createCodes = creates.GroupBy(c => $"{(int)c.Status}{(c.Code is null ? "" : " " + c.Code)}").Select(g => $"{g.Key} x{g.Count()}");
            output.WriteLine($"creates while down: {string.Join(", ", createCodes)} (the admitted ones now {string.Join(", ", createdStates)}); refusal: {refusal}");
            output.WriteLine($"/health while down: {health}");
            output.WriteLine($"after the daemon was back: a new create ready in {createAfter.TotalSeconds:0.0} s, pool refilled in {refilledAfter.TotalSeconds:0.0} s");
            output.WriteLine($"outage log: {outageLog.Length} bytes, {stackTraces} stack-trace lines; containers left: {left}");
            output.WriteLine(outageLog);
            output.WriteLine("---- after the daemon was back:");
            output.WriteLine(recoveryLog);

            Assert.Equal("ready", statusDuring);
            Assert.True(gap < TimeSpan.FromSeconds(2), $"frames stopped for {gap.TotalSeconds:0.0} s while the daemon was away");
            Assert.NotNull(refusal);
            Assert.Contains(docker.DockerHost, refusal);
            Assert.Contains("Degraded", health);
            Assert.Contains(docker.DockerHost, health);
            Assert.InRange(stackTraces, 0, 0);
            Assert.Equal(0, left);
        }
        finally
        {
            if (frames is not null)
            {
                await frames.DisposeAsync();
            }
            if (daemonDown || !await DaemonAnswersAsync())
            {
                await daemon.UpAsync(liveRestore: true);
            }
            if (orchestrator is not null)
            {
                output.WriteLine(orchestrator.Output);
                await orchestrator.DisposeAsync();
            }
            await docker.RemoveOwnedAsync(owner);
        }
    }

    [Fact]
    public async Task A_daemon_restart_without_live_restore_fails_its_sessions_with_the_reason_and_removes_their_containers()
    {
        var daemon = new DaemonRestart(docker);
        var owner = DockerFixture.NewOwner();
        OrchestratorProcess? orchestrator = null;
        try
        {
            // An operator's daemon without --live-restore: docker-engine.sh up restarts ours with that setting.
            await daemon.UpAsync(liveRestore: false);
            orchestrator = await OrchestratorProcess.StartAsync(docker.OrchestratorSettings(owner));
            var sessionId = await orchestrator.CreateReadySessionAsync(PageUrl);
            var runnerId = (await orchestrator.GetSessionAsync(sessionId)).GetProperty("runnerId").GetString()!;
            var container = Assert.Single(await docker.ContainersAsync("runner", runnerId));

            var clock = Stopwatch.StartNew();
            var stopping = await daemon.DownAsync(liveRestore: false);
            var startTook = await daemon.UpAsync(liveRestore: false);
            var backAt = clock.Elapsed;
            var failed = await orchestrator.WaitForStatusAsync(sessionId, "error", TimeSpan.FromSeconds(30));
            var failedAfter = clock.Elapsed - backAt;
            await docker.WaitUntilGoneAsync(container.ID, TimeSpan.FromSeconds(30));
            var goneAfter = clock.Elapsed - backAt;
            var error = failed.GetProperty("error").GetString();
            var stackTraces = orchestrator.Output.Split('\n').Count(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
            output.WriteLine($"live-restore off: down {stopping.TotalSeconds:0.0} s + up {startTook.TotalSeconds:0.0} s; session error {failedAfter.TotalSeconds:0.0} s " +
                $"after the daemon was back, container removed after {goneAfter.TotalSeconds:0.0} s, {stackTraces} stack-trace lines logged; error: {error}");

            Assert.Contains("Docker daemon", error);
            Assert.Contains("restarted", error);
            Assert.True(failedAfter < TimeSpan.FromSeconds(10), $"the session failed {failedAfter.TotalSeconds:0.0} s after the daemon was back");
            Assert.True(goneAfter < TimeSpan.FromSeconds(10), $"the container was removed {goneAfter.TotalSeconds:0.0} s after the daemon was back");
            Assert.Equal(0, stackTraces);
        }
        finally
        {
            if (orchestrator is not null)
            {
                output.WriteLine(orchestrator.Output);
                await orchestrator.DisposeAsync();
            }
            await docker.RemoveOwnedAsync(owner);
            // Back to the daemon every other test expects (with live-restore), also when this one failed.
            await daemon.UpAsync(liveRestore: true);
        }
    }

    private static async Task<JsonElement> PoolAsync(OrchestratorProcess orchestrator) =>
        await orchestrator.Http.GetFromJsonAsync<JsonElement>("/api/pool");

    private async Task<bool> DaemonAnswersAsync()
    {
        try
        {
            await docker.Client.System.PingAsync(CancellationToken.None);
            return true;
        }
        catch (Exception e) when (BrowserIsolation.Orchestrator.Runners.Docker.DockerFailure.Is(e, CancellationToken.None))
        {
            return false;
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
