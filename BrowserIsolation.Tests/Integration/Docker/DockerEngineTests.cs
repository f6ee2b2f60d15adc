using System.Net;
using BrowserIsolation.Orchestrator.Runners.Docker;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace BrowserIsolation.Tests.Integration.Docker;

/// <summary>The Engine API calls the runner provider makes (Docker.DotNet and <see cref="ContainerQueries"/>) against the real daemon.</summary>
[Collection(DockerCollection.Name)]
[Trait("Category", "Docker")]
public sealed class DockerEngineTests(DockerFixture docker)
{
    private const string BaseImage = "debian:bookworm-slim";

    [Fact]
    public async Task Version_is_API_1_41_or_later()
    {
        var version = await docker.Client.System.GetVersionAsync(CancellationToken.None);

        Assert.True(System.Version.Parse(version.APIVersion) >= new System.Version(1, 41), $"daemon API {version.APIVersion}");
        Assert.Equal("linux", version.Os);
    }

    [Fact]
    public async Task Container_lifecycle_with_labels_and_demultiplexed_logs()
    {
        var owner = DockerFixture.NewOwner();
        var labels = new Dictionary<string, string> { ["browserisolation.owner"] = owner, ["browserisolation.runner"] = "lifecycle" };
        string? id = null;
        try
        {
            id = (await docker.Client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = $"bi-test-{owner}",
                Image = BaseImage,
                Cmd = ["bash", "-c", "echo out-1; echo err-1 >&2; printf 'out-2\\n'; exec sleep 60"],
                Labels = labels,
                HostConfig = new HostConfig { NetworkMode = "none", Init = true },
            }, CancellationToken.None)).ID;
            await docker.Client.Containers.StartContainerAsync(id, new ContainerStartParameters(), CancellationToken.None);

            List<ContainerLogLine> logs = [];
            await DockerFixture.WaitUntilAsync(async () =>
                (logs = await ContainerLogLine.TailAsync(docker.Client.Containers, id, 10, CancellationToken.None)).Count >= 3, TimeSpan.FromSeconds(10));
            Assert.Equal(["out-1", "out-2"], logs.Where(l => !l.IsStdErr).Select(l => l.Text));
            Assert.Equal(["err-1"], logs.Where(l => l.IsStdErr).Select(l => l.Text));

            var listed = Assert.Single(await docker.Client.Containers.ListLabelledAsync(
                new Dictionary<string, string?> { ["browserisolation.owner"] = owner, ["browserisolation.runner"] = null }, false, CancellationToken.None));
            Assert.Equal(id, listed.ID);
            Assert.Equal("running", listed.State);
            Assert.Empty(await docker.Client.Containers.ListLabelledAsync(
                new Dictionary<string, string?> { ["browserisolation.owner"] = owner + "-other" }, true, CancellationToken.None));

            var top = await docker.Client.Containers.ListProcessesAsync(id, new ContainerListProcessesParameters { PsArgs = "-eo pid,args" }, CancellationToken.None);
            Assert.Contains(ContainerProcess.Column(top, "COMMAND"), c => c.StartsWith("sleep 60", StringComparison.Ordinal));

            await docker.Client.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = 1 }, CancellationToken.None);
            var stopped = (await docker.Client.Containers.InspectOrNullAsync(id, CancellationToken.None))!;
            Assert.False(stopped.State.Running);
            Assert.Equal("exited", stopped.State.Status);

            Assert.True(await docker.Client.Containers.RemoveForcedAsync(id, CancellationToken.None));
            Assert.False(await docker.Client.Containers.RemoveForcedAsync(id, CancellationToken.None));
            Assert.Null(await docker.Client.Containers.InspectOrNullAsync(id, CancellationToken.None));
        }
        finally
        {
            if (id is not null)
            {
                await docker.Client.Containers.RemoveForcedAsync(id, CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task Daemon_errors_carry_the_daemons_message()
    {
        var error = await Assert.ThrowsAnyAsync<DockerApiException>(() => docker.Client.Containers.CreateContainerAsync(
            new CreateContainerParameters { Image = "browserisolation-no-such-image:none" }, CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("No such image", DockerFailure.DaemonMessage(error), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("No such image", DockerFailure.Describe(error, docker.Endpoint), StringComparison.OrdinalIgnoreCase);
        Assert.False(await docker.ImageExistsAsync("browserisolation-no-such-image:none"));
        Assert.True(await docker.ImageExistsAsync(docker.Image));
    }

    [Fact]
    public async Task Events_report_a_containers_death()
    {
        var owner = DockerFixture.NewOwner();
        string? id = null;
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var died = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
            var parameters = new ContainerEventsParameters
            {
                Since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(),
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["type"] = new Dictionary<string, bool> { ["container"] = true },
                    ["event"] = new Dictionary<string, bool> { ["die"] = true },
                    ["label"] = new Dictionary<string, bool> { [$"browserisolation.owner={owner}"] = true },
                },
            };
            var stream = docker.Client.System.MonitorEventsAsync(parameters, new Progress<Message>(m => died.TrySetResult(m)), stop.Token);
            id = (await docker.Client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Image = BaseImage,
                Cmd = ["bash", "-c", "exit 3"],
                Labels = new Dictionary<string, string> { ["browserisolation.owner"] = owner },
                HostConfig = new HostConfig { NetworkMode = "none" },
            }, CancellationToken.None)).ID;
            await docker.Client.Containers.StartContainerAsync(id, new ContainerStartParameters(), CancellationToken.None);

            var e = await died.Task.WaitAsync(stop.Token);
            Assert.Equal("die", e.Action);
            Assert.Equal(id, e.Actor.ID);
            Assert.Equal("3", e.Actor.Attributes["exitCode"]);
            await stop.CancelAsync();
            try
            {
                await stream;
            }
            catch (OperationCanceledException)
            {
                // the end we asked for
            }
        }
        finally
        {
            if (id is not null)
            {
                await docker.Client.Containers.RemoveForcedAsync(id, CancellationToken.None);
            }
        }
    }
}
