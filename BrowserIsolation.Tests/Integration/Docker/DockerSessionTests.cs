using Docker.DotNet.Models;
using System.Diagnostics;
using System.Net;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Runners.Docker;
using BrowserIsolation.Tests.Fixtures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Docker;

/// <summary>The orchestrator process with <c>Runner:Provider=docker</c>: sessions on container runners, end to end.</summary>
[Collection(DockerCollection.Name)]
[Trait("Category", "Docker")]
public sealed class DockerSessionTests(DockerFixture docker, ITestOutputHelper output)
{
    // The container's own loopback: nothing listens there, so Chromium renders its error page (frames all the same).
    private const string PageUrl = "http://127.0.0.1:9/";

    [Fact]
    public async Task A_session_runs_in_a_labelled_container_streams_frames_and_delete_removes_the_container()
    {
        var owner = DockerFixture.NewOwner();
        var orchestrator = await StartOrchestratorAsync(owner);
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await orchestrator.Http.GetAsync("/health")).StatusCode);

            var watch = Stopwatch.StartNew();
            var sessionId = await orchestrator.CreateReadySessionAsync(PageUrl, 1024, 640);
            var readyMs = watch.ElapsedMilliseconds;

            var container = Assert.Single(await docker.ContainersAsync("session", sessionId));
            Assert.Equal(owner, container.Labels!["browserisolation.owner"]);
            Assert.Equal("claimed", container.Labels["browserisolation.pool"]);

            using (var socket = new SessionSocket(await orchestrator.ConnectAsync(sessionId)))
            {
                var frame = await socket.WaitForFrameAsync(f => f.Width == 1024 && f.Height == 640, TimeSpan.FromSeconds(20), "the 1024x640 viewport");
                output.WriteLine($"create -> ready {readyMs} ms, -> first frame {watch.ElapsedMilliseconds} ms ({docker.Network} network)");
            }

            Assert.Equal(HttpStatusCode.NoContent, (await orchestrator.Http.DeleteAsync($"/api/sessions/{sessionId}")).StatusCode);
            await docker.WaitUntilGoneAsync(container.ID, TimeSpan.FromSeconds(15));
        }
        finally
        {
            output.WriteLine(orchestrator.Output);
            await orchestrator.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }

    [Fact]
    public async Task The_containers_own_sound_server_runs_as_the_runner_user_and_its_Opus_frames_reach_the_client()
    {
        var owner = DockerFixture.NewOwner();
        var orchestrator = await StartOrchestratorAsync(owner);
        try
        {
            var sessionId = await orchestrator.CreateReadySessionAsync(PageUrl);
            var container = Assert.Single(await docker.ContainersAsync("session", sessionId));
            using var socket = new SessionSocket(await orchestrator.ConnectAsync(sessionId));
            var hello = await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "hello", TimeSpan.FromSeconds(10), "hello");
            Assert.True(hello.GetProperty("audio").GetBoolean(), $"the container has no sound: {hello}");

            var pulse = (await ContainerProcess.ListAsync(docker.Client, container.ID)).Where(p => p.Command.Contains("pulseaudio")).ToList();
            var server = Assert.Single(pulse);
            Assert.StartsWith("1000\t", server.Status["Uid"]);
            Assert.Contains("/pulse/default.pa", server.Command);

            // Even a silent page sends Opus: the first frames before DTX, then one every 400 ms.
            await socket.SendJsonAsync(new { type = "frames", enabled = false });
            await socket.SendJsonAsync(new { type = "audio", hearing = true, frames = true });
            var watch = Stopwatch.StartNew();
            var opus = 0;
            while (opus < 3 && watch.Elapsed < TimeSpan.FromSeconds(15))
            {
                if (await socket.ReceiveAsync(TimeSpan.FromSeconds(15)) is { Type: System.Net.WebSockets.WebSocketMessageType.Binary } m && m.Data[0] == 0x4F)
                {
                    opus++;
                }
            }
            output.WriteLine($"{opus} Opus frames in {watch.ElapsedMilliseconds} ms; sound server pid {server.Pid}: {server.Command}");
            Assert.True(opus >= 3, $"{opus} Opus frames from the container in 15 s");
        }
        finally
        {
            output.WriteLine(orchestrator.Output);
            await orchestrator.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }

    [Fact]
    public async Task Killing_the_container_puts_its_session_in_error()
    {
        var owner = DockerFixture.NewOwner();
        var orchestrator = await StartOrchestratorAsync(owner);
        try
        {
            var sessionId = await orchestrator.CreateReadySessionAsync(PageUrl);
            var container = Assert.Single(await docker.ContainersAsync("session", sessionId));

            await docker.Client.Containers.KillContainerAsync(container.ID, new ContainerKillParameters { Signal = "SIGKILL" }, CancellationToken.None);

            var failed = await orchestrator.WaitForStatusAsync(sessionId, "error", TimeSpan.FromSeconds(15));
            Assert.Contains("code 137", failed.GetProperty("error").GetString());
            await docker.WaitUntilGoneAsync(container.ID, TimeSpan.FromSeconds(15));
        }
        finally
        {
            await orchestrator.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }

    [Fact]
    public async Task Starting_over_a_leftover_labelled_container_removes_it()
    {
        var owner = DockerFixture.NewOwner();
        OrchestratorProcess? orchestrator = null;
        try
        {
            // An earlier orchestrator of this owner left a runner behind; no session (in-memory store) owns it now.
            await using (var earlier = new DockerRunnerProvider(docker.Client, docker.Endpoint, Options.Create(docker.Options(owner)),
                Options.Create(new RunnerOptions()), new ConfigurationBuilder().Build(), new TestOutputLogger<DockerRunnerProvider>(output)))
            {
                await earlier.StartAsync(new RunnerStartRequest("r-leftover", 1280, 720, new Dictionary<string, string> { ["session"] = "gone" }),
                    CancellationToken.None);
            }
            var leftover = Assert.Single(await docker.ContainersAsync("owner", owner));

            orchestrator = await StartOrchestratorAsync(owner);

            await docker.WaitUntilGoneAsync(leftover.ID, TimeSpan.FromSeconds(20));
            Assert.Contains("leftover", orchestrator.Output);
        }
        finally
        {
            if (orchestrator is not null)
            {
                await orchestrator.DisposeAsync();
            }
            await docker.RemoveOwnedAsync(owner);
        }
    }

    private Task<OrchestratorProcess> StartOrchestratorAsync(string owner) => OrchestratorProcess.StartAsync(docker.OrchestratorSettings(owner));
}
