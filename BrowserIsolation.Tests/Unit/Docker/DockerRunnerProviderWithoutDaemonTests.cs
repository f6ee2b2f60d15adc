using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Runners.Docker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Tests.Unit.Docker;

/// <summary>With no daemon behind the socket, starting or listing runners fails with the provider's contract, and says why.</summary>
public sealed class DockerRunnerProviderWithoutDaemonTests
{
    [Fact]
    public async Task Start_fails_with_a_RunnerStartException_naming_the_daemon_address()
    {
        var (socket, endpoint) = MissingDaemon();
        using var client = endpoint.CreateClient(TimeSpan.FromSeconds(5));
        await using var provider = Provider(client, endpoint);

        var error = await Assert.ThrowsAsync<RunnerStartException>(() =>
            provider.StartAsync(new RunnerStartRequest("r-1", 1280, 720, new Dictionary<string, string>()), CancellationToken.None));

        Assert.Contains("cannot reach the Docker daemon", error.Message);
        Assert.Contains(socket, error.Message);
    }

    [Fact]
    public async Task List_fails_naming_the_daemon_address_rather_than_finding_no_runners()
    {
        // A restarting daemon must never read as "every runner is gone" (the reconciler would fail their sessions).
        var (socket, endpoint) = MissingDaemon();
        using var client = endpoint.CreateClient(TimeSpan.FromSeconds(5));
        await using var provider = Provider(client, endpoint);

        var error = await Assert.ThrowsAsync<IOException>(() => provider.ListAsync(CancellationToken.None));

        Assert.Contains("cannot reach the Docker daemon", error.Message);
        Assert.Contains(socket, error.Message);
    }

    [Fact]
    public async Task Health_is_Degraded_not_Unhealthy_while_the_daemon_does_not_answer()
    {
        // Running runners (live-restore) keep serving their sessions: the replica must stay in service.
        var (socket, endpoint) = MissingDaemon();
        using var client = endpoint.CreateClient(TimeSpan.FromSeconds(5));

        var result = await new DockerDaemonHealthCheck(client, endpoint).CheckHealthAsync(new HealthCheckContext(), CancellationToken.None);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains(socket, result.Description);
    }

    [Theory]
    [InlineData(-0.5, null, true)]
    [InlineData(-3, null, false)]
    [InlineData(5, 4.5, true)]
    [InlineData(7, 4.5, false)]
    public void A_daemon_gap_covers_what_happened_within_it_give_or_take_a_second(double atSeconds, double? toSeconds, bool covered)
    {
        var from = DateTimeOffset.UnixEpoch.AddDays(20_000);
        var gap = new DaemonGap(from, toSeconds is { } to ? from.AddSeconds(to) : null);
        Assert.Equal(covered, gap.Covers(from.AddSeconds(atSeconds)));
    }

    [Fact]
    public void A_bind_address_that_is_not_an_IP_is_refused_at_construction()
    {
        var endpoint = DockerEndpoint.Parse(null);
        using var client = endpoint.CreateClient();
        var error = Assert.Throws<InvalidOperationException>(() => new DockerRunnerProvider(client, endpoint,
            Options.Create(new DockerRunnerOptions { BindIp = "localhost" }), Options.Create(new RunnerOptions()),
            new ConfigurationBuilder().Build(), NullLogger<DockerRunnerProvider>.Instance));
        Assert.Contains("BindIp", error.Message);
    }

    [Theory]
    [InlineData("unix:///var/run/docker.sock", "127.0.0.1")]
    [InlineData("tcp://198.51.100.4:2375", "0.0.0.0")]
    public async Task Published_ports_bind_loopback_by_default_when_the_daemon_is_local(string dockerHost, string expected)
    {
        var endpoint = DockerEndpoint.Parse(dockerHost);
        using var client = endpoint.CreateClient();
        var options = new DockerRunnerOptions();
        await using var provider = new DockerRunnerProvider(client, endpoint, Options.Create(options), Options.Create(new RunnerOptions()),
            new ConfigurationBuilder().Build(), NullLogger<DockerRunnerProvider>.Instance);
        Assert.Equal(expected, options.BindIp);
    }

    /// <summary>A unix socket path nothing listens on.</summary>
    private static (string Socket, DockerEndpoint Endpoint) MissingDaemon()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"no-docker-{Guid.NewGuid():N}.sock");
        return (socket, DockerEndpoint.Parse("unix://" + socket));
    }

    private static DockerRunnerProvider Provider(global::Docker.DotNet.DockerClient client, DockerEndpoint endpoint) =>
        new(client, endpoint, Options.Create(new DockerRunnerOptions()), Options.Create(new RunnerOptions()),
            new ConfigurationBuilder().Build(), NullLogger<DockerRunnerProvider>.Instance);
}
