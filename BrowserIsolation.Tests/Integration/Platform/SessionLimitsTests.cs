using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Platform;

[Trait("Category", "Integration")]
public sealed class SessionLimitsTests
{
    [Fact]
    public async Task MaxSessionsRefusesWithRetryAfterAndFreesASlotOnDelete()
    {
        await using var site = await TestSite.StartAsync();
        await using var orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Sessions__MaxSessions"] = "2",
            ["Sessions__RetryAfterSeconds"] = "7",
        });
        var first = (await orchestrator.CreateSessionAsync(site.Url(TestSite.Pages.Red))).GetProperty("sessionId").GetString()!;
        await orchestrator.CreateSessionAsync(site.Url(TestSite.Pages.Red));

        var refused = await orchestrator.Http.PostAsJsonAsync("/api/sessions", new { url = site.Url(TestSite.Pages.Red) });
        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter?.Delta);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("too_many_sessions", problem.GetProperty("code").GetString());

        await orchestrator.Http.DeleteAsync($"/api/sessions/{first}");
        var third = await orchestrator.Http.PostAsJsonAsync("/api/sessions", new { url = site.Url(TestSite.Pages.Red) });
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
    }

    [Fact]
    public async Task IdleSessionIsTerminatedAndItsRunnerReclaimed()
    {
        await using var site = await TestSite.StartAsync();
        await using var orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Sessions__IdleTimeout"] = "00:00:02",
        });
        var id = await orchestrator.CreateReadySessionAsync(site.Url(TestSite.Pages.Red));
        var dir = Assert.Single(RunnerLeftovers.RunnerDirs(orchestrator.WorkRoot));

        // A connected client keeps it alive past the timeout...
        using (var socket = new SessionSocket(await orchestrator.ConnectAsync(id)))
        {
            await Task.Delay(3500);
            Assert.Equal("ready", (await orchestrator.GetSessionAsync(id)).GetProperty("status").GetString());
        }
        // ...and once it leaves, the idle timeout ends the session.
        var ended = await orchestrator.WaitForStatusAsync(id, "terminated", TimeSpan.FromSeconds(10));
        Assert.NotNull(ended.GetProperty("endedAt").GetString());
        await SessionLifecycleTests.Eventually(() => !Directory.Exists(dir), TimeSpan.FromSeconds(10), "runner work dir removed");
    }

    [Fact]
    public async Task MaxLifetimeEndsASessionEvenWithAClient()
    {
        await using var site = await TestSite.StartAsync();
        await using var orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Sessions__MaxLifetime"] = "00:00:10",
        });
        var id = await orchestrator.CreateReadySessionAsync(site.Url(TestSite.Pages.Red));
        using var socket = new SessionSocket(await orchestrator.ConnectAsync(id));
        await orchestrator.WaitForStatusAsync(id, "terminated", TimeSpan.FromSeconds(15));
        await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "status" &&
            e.GetProperty("status").GetString() == "terminated", TimeSpan.FromSeconds(5), "terminated status");
    }
}
