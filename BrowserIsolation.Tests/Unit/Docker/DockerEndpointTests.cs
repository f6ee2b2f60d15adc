using BrowserIsolation.Orchestrator.Runners.Docker;

namespace BrowserIsolation.Tests.Unit.Docker;

public sealed class DockerEndpointTests
{
    [Theory]
    [InlineData(null, "unix:///var/run/docker.sock")]
    [InlineData("", "unix:///var/run/docker.sock")]
    [InlineData("unix:///var/run/bi-docker.sock", "unix:///var/run/bi-docker.sock")]
    [InlineData("tcp://10.0.0.5:2375", "tcp://10.0.0.5:2375")]
    public void Parses_DOCKER_HOST(string? value, string expected) => Assert.Equal(expected, DockerEndpoint.Parse(value).ToString());

    [Theory]
    [InlineData("ssh://user@host")]
    [InlineData("npipe:////./pipe/docker_engine")]
    [InlineData("unix://")]
    [InlineData("not a uri")]
    public void Refuses_what_it_cannot_reach(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => DockerEndpoint.Parse(value));
        Assert.Contains("DOCKER_HOST", error.Message);
    }

    [Fact]
    public async Task A_socket_nobody_listens_on_is_described_clearly()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-docker-{Guid.NewGuid():N}.sock");
        var endpoint = DockerEndpoint.Parse("unix://" + path);
        using var client = endpoint.CreateClient(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.System.PingAsync(CancellationToken.None));

        Assert.True(DockerFailure.Is(error, CancellationToken.None), error.ToString());
        var description = DockerFailure.Describe(error, endpoint);
        Assert.Contains("cannot reach the Docker daemon", description);
        Assert.Contains(path, description);
    }
}
