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
