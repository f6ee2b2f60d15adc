using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Runners.Docker;
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
            using var http = new HttpClient { BaseAddress = orchestrator.BaseUri, Timeout = TimeSpan.FromSeconds(90) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health")).StatusCode);

            var watch = Stopwatch.StartNew();
            var session = await CreateSessionAsync(http);
            var readyMs = watch.ElapsedMilliseconds;
            var sessionId = session.GetProperty("sessionId").GetString()!;
            Assert.Equal("ready", session.GetProperty("status").GetString());

            var container = Assert.Single(await docker.Client.ListContainersAsync(
                new Dictionary<string, string?> { ["browserisolation.session"] = sessionId }, false, CancellationToken.None));
            Assert.Equal(owner, container.Labels!["browserisolation.owner"]);
            Assert.Equal("claimed", container.Labels["browserisolation.pool"]);

            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{orchestrator.BaseUri.Port}/ws/sessions/{sessionId}"), CancellationToken.None);
            var frame = await FirstBinaryMessageAsync(socket, TimeSpan.FromSeconds(20));
            output.WriteLine($"create -> ready {readyMs} ms, -> first frame {watch.ElapsedMilliseconds} ms ({frame.Length} bytes, {docker.Network} network)");
            Assert.True(frame.Length > 100 && frame[0] == 0xFF && frame[1] == 0xD8, "a frame is one whole JPEG");
            socket.Abort();

            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/sessions/{sessionId}")).StatusCode);
            await DockerRunnerProviderTests.WaitUntilAsync(
                async () => await docker.Client.InspectContainerAsync(container.Id, CancellationToken.None) is null, TimeSpan.FromSeconds(15));
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\norchestrator output:\n{orchestrator.Output}", e);
        }
        finally
        {
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
            using var http = new HttpClient { BaseAddress = orchestrator.BaseUri, Timeout = TimeSpan.FromSeconds(90) };
            var sessionId = (await CreateSessionAsync(http)).GetProperty("sessionId").GetString()!;
            var container = Assert.Single(await docker.Client.ListContainersAsync(
                new Dictionary<string, string?> { ["browserisolation.session"] = sessionId }, false, CancellationToken.None));

            await docker.Client.KillContainerAsync(container.Id, "SIGKILL", CancellationToken.None);

            JsonElement state = default;
            await DockerRunnerProviderTests.WaitUntilAsync(async () =>
            {
                state = await http.GetFromJsonAsync<JsonElement>($"api/sessions/{sessionId}");
                return state.GetProperty("status").GetString() == "error";
            }, TimeSpan.FromSeconds(15));
            Assert.Contains("code 137", state.GetProperty("error").GetString());
            await DockerRunnerProviderTests.WaitUntilAsync(
                async () => await docker.Client.InspectContainerAsync(container.Id, CancellationToken.None) is null, TimeSpan.FromSeconds(15));
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
            await using (var earlier = new DockerRunnerProvider(docker.Client, Options.Create(docker.Options(owner)),
                Options.Create(new RunnerOptions()), new ConfigurationBuilder().Build(), new TestOutputLogger<DockerRunnerProvider>(output)))
            {
                await earlier.StartAsync(new RunnerStartRequest("r-leftover", 1280, 720, new Dictionary<string, string> { ["session"] = "gone" }),
                    CancellationToken.None);
            }
            var leftover = Assert.Single(await docker.Client.ListContainersAsync(
                new Dictionary<string, string?> { ["browserisolation.owner"] = owner }, false, CancellationToken.None));

            orchestrator = await StartOrchestratorAsync(owner);

            await DockerRunnerProviderTests.WaitUntilAsync(
                async () => await docker.Client.InspectContainerAsync(leftover.Id, CancellationToken.None) is null, TimeSpan.FromSeconds(20));
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

    private Task<OrchestratorProcess> StartOrchestratorAsync(string owner) => OrchestratorProcess.StartAsync(new Dictionary<string, string>
    {
        ["Runner__Provider"] = "docker",
        ["Runner__Docker__Host"] = docker.DockerHost,
        ["Runner__Docker__Image"] = docker.Image,
        ["Runner__Docker__Network"] = docker.Network,
        ["Runner__Docker__BindIp"] = "127.0.0.1",
        ["Runner__Docker__Owner"] = owner,
        ["Runner__Docker__PortRange"] = "42000-42999",
        ["Runner__StartTimeout"] = "00:01:00",
    });

    private static async Task<JsonElement> CreateSessionAsync(HttpClient http)
    {
        using var response = await http.PostAsJsonAsync("api/sessions?wait=true", new { url = PageUrl, width = 1024, height = 640 });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create answered {(int)response.StatusCode}: {body}");
        var session = JsonDocument.Parse(body).RootElement;
        Assert.True(session.GetProperty("status").GetString() == "ready", $"session did not get ready: {body}");
        return session;
    }

    private static async Task<byte[]> FirstBinaryMessageAsync(ClientWebSocket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4 << 20];
        while (true)
        {
            var count = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(count), cts.Token);
                count += result.Count;
            }
            while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Binary)
            {
                return buffer[..count];
            }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"the socket closed before a frame arrived: {socket.CloseStatusDescription}");
            }
        }
    }
}
