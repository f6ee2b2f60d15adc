using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Docker.DotNet;
using Docker.DotNet.Models;
using BrowserIsolation.Orchestrator.Runners.Docker;
using BrowserIsolation.Tests.E2e;
using BrowserIsolation.Tests.Fixtures;
using BrowserIsolation.Tests.Integration.Docker;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Aspire;

/// <summary>
/// The whole Aspire composition, started from BrowserIsolation.AppHost with Aspire.Hosting.Testing: DCP, the dashboard,
/// Redis and coturn from local images, the orchestrator with Docker runners, and Web in front of it.
/// In the Docker collection: it uses the shared dockerd that the daemon-restart tests stop and start.
/// </summary>
[Collection(DockerCollection.Name)]
[Trait("Category", "Aspire")]
public sealed class AppHostTests(ITestOutputHelper output)
{
    // The runner container's own loopback: nothing listens there, so Chromium renders its error page (frames all the same).
    private const string PageUrl = "http://127.0.0.1:9/";
    private static readonly string[] Resources = ["sessions", "turn", "orchestrator", "web"];

    [Fact]
    public async Task The_AppHost_runs_every_resource_healthy_streams_a_session_through_Web_and_reports_its_telemetry()
    {
        var owner = DockerFixture.NewOwner();
        var apiKey = Guid.NewGuid().ToString("N");
        var watch = Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BrowserIsolation_AppHost>(
        [
            $"Runner:Docker:Owner={owner}",
            $"AppHost:DashboardApiKey={apiKey}",
            "ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
        ], (options, _) => options.DisableDashboard = false);
        using var docker = DockerEndpoint.Parse(Environment.GetEnvironmentVariable("DOCKER_HOST")).CreateClient();
        var app = await builder.BuildAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            await app.StartAsync(timeout.Token);
            foreach (var resource in Resources)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            }
            output.WriteLine($"dotnet run -> every resource healthy: {watch.Elapsed.TotalSeconds:0.0} s");

            // A session through the Web front end (service discovery to the orchestrator), on a Docker runner of our owner.
            var web = app.CreateHttpClient("web", "http");
            var response = await web.PostAsJsonAsync("/api/sessions?wait=true", new { url = PageUrl }, timeout.Token);
            var created = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {created}");
            Assert.Equal("ready", created.GetProperty("status").GetString());
            var sessionId = created.GetProperty("sessionId").GetString()!;
            var runnerId = created.GetProperty("runnerId").GetString()!;
            Assert.Single(await Containers(docker, owner, "runner", runnerId));

            using (var socket = new SessionSocket(new ClientWebSocket()))
            {
                await socket.Socket.ConnectAsync(new UriBuilder(web.BaseAddress!) { Scheme = "ws", Path = $"/ws/sessions/{sessionId}" }.Uri, timeout.Token);
                var frame = await socket.WaitForFrameAsync(f => f.Width == 1280 && f.Height == 720, TimeSpan.FromSeconds(30), "the 1280x720 viewport");
                output.WriteLine($"JPEG over the Web's WebSocket: {frame.Width}x{frame.Height}");
            }

            // WebRTC in a real Chromium, negotiated through Web, media straight from the runner container's UDP port.
            await using (var browser = await PlaywrightBrowser.LaunchAsync())
            {
                var page = await browser.Browser.NewPageAsync();
                await page.GotoAsync(new Uri(web.BaseAddress!, "/health").AbsoluteUri);
                await page.EvaluateAsync(WebRtcTests.Negotiate, sessionId);
                var video = await WebRtcTests.WaitForAsync(page, p => p.Decoded > 30 && p.State == "connected", "30 WebRTC frames decoded");
                output.WriteLine($"WebRTC: {video}");
            }

            // The dashboard's telemetry API: the orchestrator's session.create span, and the runner's metrics.
            // The testing builder puts the dashboard on a random loopback port.
            var dashboard = app.GetEndpoint("aspire-dashboard", "http").AbsoluteUri;
            output.WriteLine($"dashboard: {dashboard}");
            using var telemetry = new HttpClient { BaseAddress = new Uri(dashboard) };
            telemetry.DefaultRequestHeaders.Add("x-api-key", apiKey);
            await WaitUntilAsync(async () => HasSpan(await telemetry.GetFromJsonAsync<JsonElement>("/api/telemetry/traces?resource=orchestrator&limit=1000", timeout.Token),
                "session.create", sessionId), "the session.create span of the session");
            await WaitUntilAsync(async () => (await telemetry.GetFromJsonAsync<JsonElement>("/api/telemetry/resources", timeout.Token))
                .EnumerateArray().Any(r => r.GetProperty("name").GetString() == "browserisolation-runner" &&
                    r.GetProperty("instanceId").GetString() == runnerId && r.GetProperty("hasMetrics").GetBoolean()), "the runner's metrics");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            // Stopping the AppHost ends the orchestrator, which removes its runners; remove any left so the test leaves none.
            var left = await Containers(docker, owner);
            foreach (var container in left)
            {
                await docker.Containers.RemoveForcedAsync(container.ID, CancellationToken.None);
            }
            Assert.Empty(left);
        }
    }

    /// <summary>A span of that name with that session.id in the dashboard's OTLP JSON (data.resourceSpans[].scopeSpans[].spans[]).</summary>
    private static bool HasSpan(JsonElement traces, string name, string sessionId) =>
        traces.GetProperty("data").GetProperty("resourceSpans").EnumerateArray()
            .SelectMany(r => r.GetProperty("scopeSpans").EnumerateArray())
            .SelectMany(s => s.GetProperty("spans").EnumerateArray())
            .Any(span => span.GetProperty("name").GetString() == name && span.TryGetProperty("attributes", out var attributes) &&
                attributes.EnumerateArray().Any(a => a.GetProperty("key").GetString() == "session.id" &&
                    a.GetProperty("value").TryGetProperty("stringValue", out var v) && v.GetString() == sessionId));

    private static Task<IList<ContainerListResponse>> Containers(IDockerClient docker, string owner, string? label = null, string? value = null)
    {
        var filter = new Dictionary<string, string?> { ["browserisolation.owner"] = owner };
        if (label is not null)
        {
            filter[$"browserisolation.{label}"] = value;
        }
        return docker.Containers.ListLabelledAsync(filter, includeStopped: true, CancellationToken.None);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"the dashboard never showed {what}");
            }
            await Task.Delay(1000);
        }
    }
}
