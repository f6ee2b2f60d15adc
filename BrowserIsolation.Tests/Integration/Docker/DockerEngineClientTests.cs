using System.Net;
using BrowserIsolation.Orchestrator.Runners.Docker;

namespace BrowserIsolation.Tests.Integration.Docker;

/// <summary>The Engine API client against the real daemon.</summary>
[Collection(DockerCollection.Name)]
[Trait("Category", "Docker")]
public sealed class DockerEngineClientTests(DockerFixture docker)
{
    private const string BaseImage = "debian:bookworm-slim";

    [Fact]
    public async Task Version_is_API_1_41_or_later()
    {
        var version = await docker.Client.GetVersionAsync(CancellationToken.None);

        Assert.True(Version.Parse(version.ApiVersion) >= new Version(1, 41), $"daemon API {version.ApiVersion}");
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
            id = (await docker.Client.CreateContainerAsync(new ContainerSpec
            {
                Image = BaseImage,
                Cmd = ["bash", "-c", "echo out-1; echo err-1 >&2; printf 'out-2\\n'; exec sleep 60"],
                Labels = labels,
                HostConfig = new HostConfig { NetworkMode = "none", Init = true },
            }, $"bi-test-{owner}", CancellationToken.None)).Id;
            await docker.Client.StartContainerAsync(id, CancellationToken.None);

            List<ContainerLogLine> logs = [];
            await DockerFixture.WaitUntilAsync(async () =>
                (logs = await docker.Client.GetLogsAsync(id, 10, CancellationToken.None)).Count >= 3, TimeSpan.FromSeconds(10));
            Assert.Equal(["out-1", "out-2"], logs.Where(l => !l.IsStdErr).Select(l => l.Text));
            Assert.Equal(["err-1"], logs.Where(l => l.IsStdErr).Select(l => l.Text));

            var listed = Assert.Single(await docker.Client.ListContainersAsync(
                new Dictionary<string, string?> { ["browserisolation.owner"] = owner, ["browserisolation.runner"] = null }, false, CancellationToken.None));
            Assert.Equal(id, listed.Id);
            Assert.Equal("running", listed.State);
            Assert.Empty(await docker.Client.ListContainersAsync(
                new Dictionary<string, string?> { ["browserisolation.owner"] = owner + "-other" }, true, CancellationToken.None));

            var top = await docker.Client.TopAsync(id, "-eo pid,args", CancellationToken.None);
            Assert.Contains(top.Column("COMMAND"), c => c.StartsWith("sleep 60", StringComparison.Ordinal));

            await docker.Client.StopContainerAsync(id, TimeSpan.FromSeconds(1), CancellationToken.None);
            var stopped = (await docker.Client.InspectContainerAsync(id, CancellationToken.None))!;
            Assert.False(stopped.State.Running);
            Assert.Equal("exited", stopped.State.Status);

            Assert.True(await docker.Client.RemoveContainerAsync(id, force: true, CancellationToken.None));
            Assert.False(await docker.Client.RemoveContainerAsync(id, force: true, CancellationToken.None));
            Assert.Null(await docker.Client.InspectContainerAsync(id, CancellationToken.None));
        }
        finally
        {
            if (id is not null)
            {
                await docker.Client.RemoveContainerAsync(id, force: true, CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task Daemon_errors_carry_the_daemons_message()
    {
        var error = await Assert.ThrowsAsync<DockerApiException>(() => docker.Client.CreateContainerAsync(
            new ContainerSpec { Image = "browserisolation-no-such-image:none" }, null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("No such image", error.DaemonMessage, StringComparison.OrdinalIgnoreCase);
        Assert.Null(await docker.Client.InspectImageAsync("browserisolation-no-such-image:none", CancellationToken.None));
        Assert.NotNull(await docker.Client.InspectImageAsync(docker.Image, CancellationToken.None));
    }

    [Fact]
    public async Task Events_report_a_containers_death()
    {
        var owner = DockerFixture.NewOwner();
        string? id = null;
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var filters = new Dictionary<string, string[]> { ["type"] = ["container"], ["event"] = ["die"], ["label"] = [$"browserisolation.owner={owner}"] };
            var died = Task.Run(async () =>
            {
                await foreach (var e in docker.Client.StreamEventsAsync(filters, DateTimeOffset.UtcNow.AddSeconds(-1), stop.Token))
                {
                    return e;
                }
                return null;
            });
            id = (await docker.Client.CreateContainerAsync(new ContainerSpec
            {
                Image = BaseImage,
                Cmd = ["bash", "-c", "exit 3"],
                Labels = new() { ["browserisolation.owner"] = owner },
                HostConfig = new HostConfig { NetworkMode = "none" },
            }, null, CancellationToken.None)).Id;
            await docker.Client.StartContainerAsync(id, CancellationToken.None);

            var e = await died;
            Assert.NotNull(e);
            Assert.Equal("die", e.Action);
            Assert.Equal(id, e.Actor!.ID);
            Assert.Equal("3", e.Actor.Attributes!["exitCode"]);
            await stop.CancelAsync();
        }
        finally
        {
            if (id is not null)
            {
                await docker.Client.RemoveContainerAsync(id, force: true, CancellationToken.None);
            }
        }
    }
}
