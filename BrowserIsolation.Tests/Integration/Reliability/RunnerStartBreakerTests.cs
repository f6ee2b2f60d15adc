using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Reliability;

/// <summary>
/// A runner backend that cannot start anything (here: the runner is not where the settings say) must cost a few
/// attempts, a few log lines and a Degraded /health, not a hot loop; once it works again the pool refills by itself.
/// </summary>
public sealed class RunnerStartBreakerTests(ITestOutputHelper output)
{
    // Nothing listens there: Chromium shows its error page, which is all a pool hit needs.
    private const string PageUrl = "http://127.0.0.1:9/";

    [Fact]
    public async Task A_missing_runner_opens_the_breaker_creates_fail_at_once_and_the_pool_recovers_when_it_is_back()
    {
        var runnerDir = Path.Combine(Path.GetTempPath(), "bi-breaker-" + Guid.NewGuid().ToString("N")[..8]);
        var orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Runner__Process__RunnerPath"] = Path.Combine(runnerDir, "BrowserIsolation.Runner.dll"),
            ["Pool__Enabled"] = "true",
            ["Pool__MinSize"] = "2",
            ["Pool__MaxConcurrentStarts"] = "2",
        });
        try
        {
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(20));
            var pool = await orchestrator.Http.GetFromJsonAsync<JsonElement>("/api/pool");
            var starts = pool.GetProperty("runnerStarts");
            var attempts = starts.GetProperty("attempts").GetInt64();
            var logBytes = orchestrator.Output.Length;
            var health = await orchestrator.Http.GetStringAsync("/health");
            output.WriteLine($"after {clock.Elapsed.TotalSeconds:0.0} s: {attempts} start attempts, {logBytes} bytes of log, breaker {starts}, /health {health}");
            Assert.InRange(attempts, 3, 10);
            Assert.InRange(logBytes, 1, 100_000);
            Assert.Contains(starts.GetProperty("state").GetString(), new[] { "open", "half_open" });
            Assert.Contains("runner not found", starts.GetProperty("lastFailure").GetString());
            Assert.Contains("Degraded", health);
            Assert.Contains("runner not found", health);

            // While it is open, a create is refused at once, naming the cause.
            var create = await orchestrator.Http.PostAsJsonAsync("/api/sessions", new { url = PageUrl });
            var problem = await create.Content.ReadFromJsonAsync<JsonElement>();
            if (create.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                // the breaker was half-open at that instant: the create went through and must fail with the reason
                Assert.Equal(HttpStatusCode.Created, create.StatusCode);
            }
            else
            {
                Assert.Equal("runner_unavailable", problem.GetProperty("code").GetString());
                Assert.Contains(runnerDir, problem.GetProperty("detail").GetString());
                Assert.True(create.Headers.RetryAfter is not null, "Retry-After is set");
            }

            // The runner is back: the next probe succeeds, the breaker closes and the pool fills.
            Directory.CreateSymbolicLink(runnerDir, Path.Combine(Path.GetDirectoryName(RepoPaths.OrchestratorDll)!, "runner"));
            var back = Stopwatch.StartNew();
            await WaitUntilAsync(async () =>
            {
                var p = await orchestrator.Http.GetFromJsonAsync<JsonElement>("/api/pool");
                return p.GetProperty("runnerStarts").GetProperty("state").GetString() == "closed" && p.GetProperty("available").GetInt32() >= 1;
            }, TimeSpan.FromSeconds(60));
            output.WriteLine($"closed and refilled {back.Elapsed.TotalSeconds:0.0} s after the runner came back");
            var id = await orchestrator.CreateReadySessionAsync(PageUrl);
            Assert.True((await orchestrator.GetSessionAsync(id)).GetProperty("metrics").GetProperty("poolHit").GetBoolean());
        }
        finally
        {
            await orchestrator.DisposeAsync();
            if (Directory.Exists(runnerDir) || File.Exists(runnerDir))
            {
                File.Delete(runnerDir); // the symbolic link only
            }
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"not within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(200);
        }
    }
}
