using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Docker;

/// <summary>Docker runners under faults: an image the daemon lacks, and an orchestrator that stops.</summary>
[Collection(DockerCollection.Name)]
[Trait("Category", "Docker")]
public sealed class DockerReliabilityTests(DockerFixture docker, ITestOutputHelper output)
{
    private const string PageUrl = "http://127.0.0.1:9/";

    [Fact]
    public async Task A_missing_image_costs_a_few_attempts_and_a_few_log_lines_and_creates_name_the_image()
    {
        var owner = DockerFixture.NewOwner();
        var settings = docker.OrchestratorSettings(owner);
        settings["Runner__Docker__Image"] = "browserisolation-runner:missing-" + owner;
        settings["Pool__Enabled"] = "true";
        settings["Pool__MinSize"] = "2";
        var orchestrator = await OrchestratorProcess.StartAsync(settings);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(20));
            var starts = (await orchestrator.Http.GetFromJsonAsync<JsonElement>("/api/pool")).GetProperty("runnerStarts");
            var health = await orchestrator.Http.GetStringAsync("/health");
            var attempts = starts.GetProperty("attempts").GetInt64();
            output.WriteLine($"20 s with a missing image: {attempts} start attempts, {orchestrator.Output.Length} bytes of log; {starts}; /health {health}");
            Assert.InRange(attempts, 1, 10);
            Assert.InRange(orchestrator.Output.Length, 1, 100_000);
            Assert.Contains("Degraded", health);
            Assert.Contains("missing-" + owner, health);

            var create = await orchestrator.Http.PostAsJsonAsync("/api/sessions", new { url = PageUrl });
            if (create.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                var problem = await create.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("runner_unavailable", problem.GetProperty("code").GetString());
                Assert.Contains("missing-" + owner, problem.GetProperty("detail").GetString());
            }
            else
            {
                // half-open at that instant: the create is the probe, and its session fails with the reason
                var id = (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessionId").GetString()!;
                var failed = await orchestrator.WaitForStatusAsync(id, "error");
                Assert.Contains("missing-" + owner, failed.GetProperty("error").GetString());
            }
            Assert.Empty(await docker.ContainersAsync("owner", owner, includeStopped: true));
        }
        finally
        {
            await orchestrator.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }

    [Fact]
    public async Task A_stopping_orchestrator_with_the_in_memory_store_ends_its_sessions_and_pool_containers()
    {
        var owner = DockerFixture.NewOwner();
        var settings = docker.OrchestratorSettings(owner);
        settings["Pool__Enabled"] = "true";
        settings["Pool__MinSize"] = "1";
        var orchestrator = await OrchestratorProcess.StartAsync(settings);
        try
        {
            await orchestrator.CreateReadySessionAsync(PageUrl);
            await DockerFixture.WaitUntilAsync(async () => (await docker.ContainersAsync("owner", owner)).Count >= 2, TimeSpan.FromSeconds(90));
            var before = (await docker.ContainersAsync("owner", owner)).Count;

            var took = orchestrator.Stop();
            var clock = Stopwatch.StartNew();
            await DockerFixture.WaitUntilAsync(async () => (await docker.ContainersAsync("owner", owner, includeStopped: true)).Count == 0,
                TimeSpan.FromSeconds(5));
            output.WriteLine($"{before} containers (session + pool); SIGTERM -> exit {took.TotalMilliseconds:0} ms, all gone {clock.ElapsedMilliseconds} ms later");
            Assert.True(took < TimeSpan.FromSeconds(20), $"stopped in {took.TotalSeconds:0.0} s");
        }
        finally
        {
            output.WriteLine(orchestrator.Output);
            await orchestrator.DisposeAsync();
            await docker.RemoveOwnedAsync(owner);
        }
    }
}
