using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;
using BrowserIsolation.Tests.Integration.Docker;

namespace BrowserIsolation.Tests.Integration.Aspire;

/// <summary>Publish mode (what azd deploys): the AppHost writes its manifest with external TURN and a separate Docker host.</summary>
[Trait("Category", "Aspire")]
public sealed class AppHostPublishTests
{
    [Fact]
    public async Task Publishing_writes_a_manifest_with_external_TURN_and_a_separate_Docker_host()
    {
        var output = Directory.CreateTempSubdirectory("bi-manifest-");
        try
        {
            var appHost = Path.Combine(RepoPaths.Root, "BrowserIsolation.AppHost", "bin", RepoPaths.Configuration, "net10.0", "BrowserIsolation.AppHost.dll");
            var (code, stdout, stderr) = await DockerFixture.RunAsync(DockerFixture.DotnetHost(),
                [appHost, "--publisher", "manifest", "--output-path", output.FullName], RepoPaths.Root, TimeSpan.FromMinutes(3));
            Assert.True(code == 0, $"publish exited {code}:\n{stdout}\n{stderr}");

            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output.FullName, "aspire-manifest.json")));
            var resources = manifest.RootElement.GetProperty("resources");
            Assert.Equal("container.v0", resources.GetProperty("sessions").GetProperty("type").GetString());
            Assert.Equal("project.v0", resources.GetProperty("orchestrator").GetProperty("type").GetString());
            Assert.Equal("project.v0", resources.GetProperty("web").GetProperty("type").GetString());
            foreach (var parameter in new[] { "turn-url", "turn-secret", "docker-host", "runner-image", "runner-public-ip", "runner-owner" })
            {
                Assert.Equal("parameter.v0", resources.GetProperty(parameter).GetProperty("type").GetString());
            }
            // No coturn container and no local runner image in publish mode: both live outside Container Apps.
            Assert.False(resources.TryGetProperty("turn", out _));
            var env = resources.GetProperty("orchestrator").GetProperty("env");
            Assert.Equal("{turn-url.value}", env.GetProperty("Turn__Urls__0").GetString());
            Assert.Equal("{docker-host.value}", env.GetProperty("Runner__Docker__Host").GetString());
            Assert.Equal("{runner-owner.value}", env.GetProperty("Runner__Docker__Owner").GetString());
            Assert.Equal("{sessions.connectionString}", env.GetProperty("ConnectionStrings__sessions").GetString());
            Assert.Equal("{orchestrator.bindings.http.url}", resources.GetProperty("web").GetProperty("env").GetProperty("services__orchestrator__http__0").GetString());
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }
}
