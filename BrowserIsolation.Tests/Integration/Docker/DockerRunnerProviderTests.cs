using Docker.DotNet.Models;
using System.Diagnostics;
using System.Formats.Tar;
using System.Net;
using System.Net.Http.Headers;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Runners.Docker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Docker;

/// <summary>The Docker runner provider against a real dockerd and the real runner image (Chromium inside).</summary>
[Collection(DockerCollection.Name)]
[Trait("Category", "Docker")]
public sealed class DockerRunnerProviderTests(DockerFixture docker, ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Runner_container_is_limited_labelled_hardened_and_Chromium_keeps_its_sandbox()
    {
        var owner = DockerFixture.NewOwner();
        var options = docker.Options(owner);
        var provider = CreateProvider(options, new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://localhost:4318", ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" });
        try
        {
            var started = Stopwatch.StartNew();
            var runner = await provider.StartAsync(Request("r-hardened", session: "s-1"), CancellationToken.None);
            output.WriteLine($"create -> /health: {started.ElapsedMilliseconds} ms ({docker.Network} network)");

            Assert.Equal("docker", runner.Provider);
            Assert.Equal("s-1", runner.Labels["session"]);
            Assert.Equal("127.0.0.1", runner.ControlUri.Host);
            Assert.Equal(HttpStatusCode.OK, await GetHealthAsync(runner, runner.Token));
            Assert.Equal(HttpStatusCode.Unauthorized, await GetHealthAsync(runner, "wrong-token"));

            var container = await SingleContainerAsync(owner);
            var labels = container.Config.Labels!;
            Assert.Equal("r-hardened", labels["browserisolation.runner"]);
            Assert.Equal("s-1", labels["browserisolation.session"]);
            Assert.Equal("claimed", labels["browserisolation.pool"]);
            Assert.Equal(owner, labels["browserisolation.owner"]);

            var host = container.HostConfig!;
            Assert.Equal(options.MemoryBytes, host.Memory);
            Assert.Equal(options.MemoryBytes, host.MemorySwap);
            Assert.Equal(options.NanoCpus, host.NanoCPUs);
            Assert.Equal(options.PidsLimit, host.PidsLimit);
            Assert.Equal(1L << 30, host.ShmSize);
            Assert.True(host.ReadonlyRootfs);
            Assert.Contains("/tmp", host.Tmpfs!.Keys);
            Assert.Contains("/home/runner", host.Tmpfs!.Keys);
            Assert.Equal(["ALL"], host.CapDrop!);
            Assert.Contains("no-new-privileges:true", host.SecurityOpt!);
            Assert.Contains(host.SecurityOpt!, o => o.StartsWith("seccomp={", StringComparison.Ordinal) && o.Contains("\"unshare\""));
            Assert.Equal("1000:1000", container.Config.User);
            // The WebRTC port: bound inside on the number it is published on, so the runner announces what clients reach.
            var mediaPort = int.Parse(container.EnvironmentValue("Media__UdpPort")!);
            Assert.InRange(mediaPort, 41000, 41999);
            Assert.Equal(mediaPort.ToString(), labels["browserisolation.media-port"]);
            Assert.Equal("127.0.0.1", container.EnvironmentValue("Media__PublicIp"));
            if (docker.Network == "bridge")
            {
                Assert.Equal(mediaPort, container.PublishedPort($"{mediaPort}/udp"));
            }
            Assert.Equal("false", container.EnvironmentValue("Chromium__NoSandbox"));
            // A loopback collector on the host is reached through the host gateway from a bridged container.
            Assert.Equal(docker.Network == "host" ? "http://localhost:4318" : "http://host.docker.internal:4318",
                container.EnvironmentValue("OTEL_EXPORTER_OTLP_ENDPOINT"));
            Assert.Equal("http/protobuf", container.EnvironmentValue("OTEL_EXPORTER_OTLP_PROTOCOL"));
            Assert.Equal("service.instance.id=r-hardened", container.EnvironmentValue("OTEL_RESOURCE_ATTRIBUTES"));

            var processes = await ContainerProcess.ListAsync(docker.Client, container.ID);
            var runnerProcess = Assert.Single(processes, p => p.Command.StartsWith("/app/BrowserIsolation.Runner", StringComparison.Ordinal));
            foreach (var p in processes)
            {
                // Every process: user 1000, no way to gain privileges, under seccomp filtering; no capabilities in the
                // container's user namespace (sandboxed helpers hold some only inside a user namespace of their own).
                Assert.StartsWith("1000\t", p.Status["Uid"]);
                if (p.UserNamespace == runnerProcess.UserNamespace)
                {
                    Assert.Equal("0000000000000000", p.Status["CapEff"]);
                }
                Assert.Equal("1", p.Status["NoNewPrivs"]);
                Assert.Equal("2", p.Status["Seccomp"]);
                Assert.DoesNotContain("--no-sandbox", p.Command);
            }
            // Chromium's own sandbox: renderers live in user and PID namespaces of their own, inside the container's.
            var renderers = processes.Where(p => p.IsRenderer).ToList();
            Assert.NotEmpty(renderers);
            Assert.All(renderers, r =>
            {
                Assert.NotEqual(runnerProcess.UserNamespace, r.UserNamespace);
                Assert.NotEqual(runnerProcess.PidNamespace, r.PidNamespace);
            });
            // Chromium's own log (in the runner's work dir on the container's /tmp, read through /proc from the host).
            var chromiumLog = File.ReadAllText($"/proc/{runnerProcess.Pid}/root/tmp/browserisolation/r-hardened/chromium.log");
            Assert.DoesNotContain("No usable sandbox", chromiumLog);
            Assert.DoesNotContain("--no-sandbox", chromiumLog);

            await provider.StopAsync(runner.RunnerId, CancellationToken.None);
            Assert.Null(await docker.Client.Containers.InspectOrNullAsync(container.ID, CancellationToken.None));
            await provider.StopAsync(runner.RunnerId, CancellationToken.None); // idempotent
        }
        finally
        {
            await provider.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }

    [Fact]
    public async Task Killed_container_raises_RunnerExited_and_is_removed()
    {
        var owner = DockerFixture.NewOwner();
        var provider = CreateProvider(docker.Options(owner));
        try
        {
            var exited = new TaskCompletionSource<RunnerExit>(TaskCreationOptions.RunContinuationsAsynchronously);
            provider.RunnerExited += e => exited.TrySetResult(e);
            var runner = await provider.StartAsync(Request("r-killed"), CancellationToken.None);
            var container = await SingleContainerAsync(owner);

            await docker.Client.Containers.KillContainerAsync(container.ID, new ContainerKillParameters { Signal = "SIGKILL" }, CancellationToken.None);
            var exit = await exited.Task.WaitAsync(TimeSpan.FromSeconds(15));

            Assert.Equal(runner.RunnerId, exit.RunnerId);
            Assert.Contains("code 137", exit.Reason);
            await docker.WaitUntilGoneAsync(container.ID, TimeSpan.FromSeconds(10));
        }
        finally
        {
            await provider.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }

    [Fact]
    public async Task A_new_provider_lists_and_adopts_running_leftovers_and_removes_dead_ones()
    {
        var owner = DockerFixture.NewOwner();
        var first = CreateProvider(docker.Options(owner));
        var second = CreateProvider(docker.Options(owner));
        var stranger = DockerFixture.NewOwner();
        var other = CreateProvider(docker.Options(stranger));
        try
        {
            var alive = await first.StartAsync(Request("r-alive", session: "s-alive"), CancellationToken.None);
            var dead = await first.StartAsync(Request("r-dead"), CancellationToken.None);
            var foreign = await other.StartAsync(Request("r-foreign"), CancellationToken.None);
            await first.DisposeAsync(); // the orchestrator goes away; its containers stay
            var deadContainer = Assert.Single(await docker.ContainersAsync("runner", dead.RunnerId));
            await docker.Client.Containers.StopContainerAsync(deadContainer.ID, new ContainerStopParameters { WaitBeforeKillSeconds = 1 }, CancellationToken.None);

            var listed = await second.ListAsync(CancellationToken.None);

            var adopted = Assert.Single(listed);
            Assert.Equal(alive.RunnerId, adopted.RunnerId);
            Assert.Equal(alive.ControlUri, adopted.ControlUri);
            Assert.Equal(alive.Token, adopted.Token);
            Assert.Equal("s-alive", adopted.Labels["session"]);
            Assert.Equal(HttpStatusCode.OK, await GetHealthAsync(adopted, adopted.Token));
            Assert.Null(await docker.Client.Containers.InspectOrNullAsync(deadContainer.ID, CancellationToken.None));
            Assert.Equal(foreign.RunnerId, Assert.Single(await other.ListAsync(CancellationToken.None)).RunnerId);

            // Adopted runners are watched like started ones.
            var exited = new TaskCompletionSource<RunnerExit>(TaskCreationOptions.RunContinuationsAsynchronously);
            second.RunnerExited += e => exited.TrySetResult(e);
            var aliveContainer = await SingleContainerAsync(owner);
            await docker.Client.Containers.KillContainerAsync(aliveContainer.ID, new ContainerKillParameters { Signal = "SIGKILL" }, CancellationToken.None);
            Assert.Equal(alive.RunnerId, (await exited.Task.WaitAsync(TimeSpan.FromSeconds(15))).RunnerId);
        }
        finally
        {
            await second.DisposeAsync();
            await other.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
            await docker.RemoveOwnedAsync(stranger);
        }
    }

    [Fact]
    public async Task A_runner_that_cannot_start_fails_with_the_container_log_and_leaves_nothing()
    {
        var owner = DockerFixture.NewOwner();
        var broken = $"browserisolation-runner:broken-{docker.Image.Split(':')[1]}";
        await BuildDerivedImageAsync(broken, "ENV Chromium__Path=/nonexistent/chromium");
        var options = docker.Options(owner);
        options.Image = broken;
        var provider = CreateProvider(options);
        try
        {
            var failure = await Assert.ThrowsAsync<RunnerStartException>(() => provider.StartAsync(Request("r-broken"), CancellationToken.None));
            output.WriteLine(failure.Message);

            Assert.Contains("r-broken", failure.Message);
            Assert.Contains("last container log lines", failure.Message);
            Assert.Contains("/nonexistent/chromium", failure.Message);
            Assert.Empty(await docker.ContainersAsync("owner", owner, includeStopped: true));
        }
        finally
        {
            await provider.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }

    [Fact]
    public async Task A_missing_image_is_named_in_the_error()
    {
        var owner = DockerFixture.NewOwner();
        var options = docker.Options(owner);
        options.Image = "browserisolation-runner:does-not-exist";
        var provider = CreateProvider(options);
        try
        {
            var failure = await Assert.ThrowsAsync<RunnerStartException>(() => provider.StartAsync(Request("r-noimage"), CancellationToken.None));
            Assert.Contains("browserisolation-runner:does-not-exist", failure.Message);
            Assert.Contains("Dockerfile", failure.Message);
        }
        finally
        {
            await provider.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }

    [Fact]
    public async Task Host_network_runners_bind_distinct_ports_from_the_range()
    {
        var owner = DockerFixture.NewOwner();
        var provider = CreateProvider(docker.Options(owner, network: "host"));
        try
        {
            var started = Stopwatch.StartNew();
            var a = await provider.StartAsync(Request("r-host-a"), CancellationToken.None);
            output.WriteLine($"create -> /health on the host network: {started.ElapsedMilliseconds} ms");
            var b = await provider.StartAsync(Request("r-host-b"), CancellationToken.None);

            Assert.NotEqual(a.ControlUri.Port, b.ControlUri.Port);
            Assert.All(new[] { a, b }, r => Assert.InRange(r.ControlUri.Port, 41000, 41999));
            Assert.Equal(HttpStatusCode.OK, await GetHealthAsync(a, a.Token));
            Assert.Equal(HttpStatusCode.OK, await GetHealthAsync(b, b.Token));
            await using var restarted = CreateProvider(docker.Options(owner, network: "host"));
            var listed = (await restarted.ListAsync(CancellationToken.None)).ToDictionary(r => r.RunnerId, r => r.ControlUri);
            Assert.Equal(new Dictionary<string, Uri> { [a.RunnerId] = a.ControlUri, [b.RunnerId] = b.ControlUri }, listed);
        }
        finally
        {
            await provider.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }

    [Fact]
    public async Task Runner_containers_send_traces_metrics_and_logs_to_the_orchestrators_OTLP_endpoint()
    {
        // Host network: the container reaches a collector on the host's loopback, as the Aspire dashboard's is.
        await using var collector = await OtlpReceiver.StartAsync();
        var owner = DockerFixture.NewOwner();
        var provider = CreateProvider(docker.Options(owner, network: "host"), new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "500",
        });
        try
        {
            var runner = await provider.StartAsync(Request("r-otel"), CancellationToken.None);
            Assert.Equal(HttpStatusCode.OK, await GetHealthAsync(runner, runner.Token));
            // Health probes are not traced (they would crowd out session traces); a stats call is.
            Assert.Equal(HttpStatusCode.OK, await GetAsync(runner, "stats", runner.Token));

            foreach (var signal in new[] { "logs", "traces", "metrics" })
            {
                try
                {
                    // service.name and service.instance.id (the runner id) of the runner's resource
                    await collector.WaitForAsync(signal, TimeSpan.FromSeconds(20), "browserisolation-runner", "r-otel");
                }
                catch (TimeoutException)
                {
                    output.WriteLine(collector.Dump);
                    Assert.Fail($"no {signal} from the runner container reached the collector (received {collector.Summary})");
                }
            }
        }
        finally
        {
            await provider.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }

    private DockerRunnerProvider CreateProvider(DockerRunnerOptions options, Dictionary<string, string?>? configuration = null) =>
        new(docker.Client, docker.Endpoint, Options.Create(options), Options.Create(new RunnerOptions { StartTimeout = TimeSpan.FromSeconds(60) }),
            new ConfigurationBuilder().AddInMemoryCollection(configuration ?? []).Build(),
            new TestOutputLogger<DockerRunnerProvider>(output));

    private static RunnerStartRequest Request(string runnerId, string? session = null) =>
        new(runnerId, 1280, 720, session is null
            ? new Dictionary<string, string> { ["pool"] = "warm" }
            : new Dictionary<string, string> { ["session"] = session, ["pool"] = "claimed" });

    private async Task<ContainerInspectResponse> SingleContainerAsync(string owner)
    {
        var summary = Assert.Single(await docker.ContainersAsync("owner", owner));
        return (await docker.Client.Containers.InspectOrNullAsync(summary.ID, CancellationToken.None))!;
    }

    private static Task<HttpStatusCode> GetHealthAsync(RunnerInstance runner, string token) => GetAsync(runner, "health", token);

    private static async Task<HttpStatusCode> GetAsync(RunnerInstance runner, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(runner.ControlUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        return response.StatusCode;
    }

    private async Task BuildDerivedImageAsync(string tag, string instruction)
    {
        if (await docker.ImageExistsAsync(tag))
        {
            return;
        }
        using var context = new MemoryStream();
        await using (var writer = new TarWriter(context, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "Dockerfile")
            {
                DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"FROM {docker.Image}\n{instruction}\n")),
            };
            await writer.WriteEntryAsync(entry);
        }
        context.Position = 0;
        await docker.BuildImageAsync(context, tag, networkMode: null, output: null);
    }
}
