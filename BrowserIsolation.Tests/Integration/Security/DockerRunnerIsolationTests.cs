using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Runners.Docker;
using BrowserIsolation.Tests.Integration.Docker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// A Docker runner's container holds none of the orchestrator's secrets, its Chromium not even the runner token, and
/// Chromium uses the container's 1 GiB /dev/shm rather than the small /tmp tmpfs.
/// </summary>
[Collection(DockerCollection.Name)]
[Trait("Category", "Docker")]
[Trait("Category", "Security")]
public sealed class DockerRunnerIsolationTests(DockerFixture docker, ITestOutputHelper output)
{
    [Fact]
    public async Task TheContainerAndItsChromiumHoldNoSecretAndUseDevShm()
    {
        var secrets = new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0"] = "docker-api-key-secret-4f1e",
            ["Auth:TokenSigningKey"] = "docker-signing-key-secret-0123456789abcdef",
            ["ConnectionStrings:sessions"] = "127.0.0.1:6390,name=docker-redis-secret",
            ["Turn:Secret"] = "docker-turn-secret-77aa",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(secrets)
            .AddInMemoryCollection([new("Uploads:MaxFiles", "7"), new("Downloads:MaxBytes", "12345")]).Build();
        var owner = DockerFixture.NewOwner();
        var provider = new DockerRunnerProvider(docker.Client, docker.Endpoint, Options.Create(docker.Options(owner)),
            Options.Create(new RunnerOptions { StartTimeout = TimeSpan.FromSeconds(60) }), configuration, new TestOutputLogger<DockerRunnerProvider>(output));
        try
        {
            var runner = await provider.StartAsync(new RunnerStartRequest("r-isolated", 1280, 720, new Dictionary<string, string>()), CancellationToken.None);
            var summary = Assert.Single(await docker.ContainersAsync("owner", owner));
            var container = (await docker.Client.Containers.InspectOrNullAsync(summary.ID, CancellationToken.None))!;
            var env = container.Config.Env ?? [];
            output.WriteLine("container environment: " + string.Join(' ', env.Select(e => e.Split('=')[0])));
            foreach (var secret in secrets.Values)
            {
                Assert.DoesNotContain(env, e => e.Contains(secret!, StringComparison.Ordinal));
            }
            Assert.Contains("Uploads__MaxFiles=7", env);
            Assert.Contains("Downloads__MaxBytes=12345", env);

            var processes = await ContainerProcess.ListAsync(docker.Client, summary.ID);
            var chromium = processes.Where(p => p.IsChromium).ToList();
            Assert.NotEmpty(chromium);
            foreach (var process in chromium)
            {
                var environ = (await File.ReadAllTextAsync($"/proc/{process.Pid}/environ")).Split('\0');
                Assert.DoesNotContain(environ, e => e.Contains(runner.Token, StringComparison.Ordinal) || e.StartsWith("Runner__", StringComparison.Ordinal));
                foreach (var secret in secrets.Values)
                {
                    Assert.DoesNotContain(environ, e => e.Contains(secret!, StringComparison.Ordinal));
                }
            }
            var browser = chromium.First(p => !p.Command.Contains("--type=", StringComparison.Ordinal));
            output.WriteLine($"Chromium in the container: {browser.Command[..Math.Min(200, browser.Command.Length)]}");
            Assert.DoesNotContain("--disable-dev-shm-usage", (await File.ReadAllTextAsync($"/proc/{browser.Pid}/cmdline")).Split('\0'));
        }
        finally
        {
            await provider.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }
}
