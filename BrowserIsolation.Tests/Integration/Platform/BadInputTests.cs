using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Platform;

/// <summary>Every class of bad input gets a clear error, nothing reaches a runner, and the service stays up.</summary>
[Trait("Category", "Integration")]
public sealed class BadInputTests : PlatformTest
{
    [Theory]
    [InlineData("""{"url":"not a url"}""", "invalid_url")]
    [InlineData("""{"url":"example.com"}""", "invalid_url")]
    [InlineData("""{"url":"file:///etc/passwd"}""", "unsupported_scheme")]
    [InlineData("""{"url":"javascript:alert(1)"}""", "unsupported_scheme")]
    [InlineData("""{"url":"ftp://example.com/"}""", "unsupported_scheme")]
    [InlineData("""{"url":""}""", "url_required")]
    [InlineData("""{}""", "url_required")]
    [InlineData("""{"url":"https://example.com","width":10}""", "invalid_width")]
    [InlineData("""{"url":"https://example.com","height":99999}""", "invalid_height")]
    [InlineData("""{"url":"https://example.com","width":"wide"}""", "invalid_json")]
    [InlineData("""{"url":""", "invalid_json")]
    [InlineData("""[1,2,3]""", "invalid_json")]
    [InlineData("", "empty_body")]
    public async Task MalformedCreateRequestsGetProblems(string body, string code)
    {
        var response = await Orchestrator.Http.PostAsync("/api/sessions", new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, code);
        Assert.Empty(RunnerLeftovers.RunnerDirs(Orchestrator.WorkRoot));
    }

    [Fact]
    public async Task OversizedBodyAndUnknownSessionsGetProblems()
    {
        var huge = JsonSerializer.Serialize(new { url = "https://example.com/" + new string('a', 40_000) });
        await AssertProblemAsync(await Orchestrator.Http.PostAsync("/api/sessions", new StringContent(huge, Encoding.UTF8, "application/json")),
            HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await AssertProblemAsync(await Orchestrator.Http.GetAsync("/api/sessions/does-not-exist"), HttpStatusCode.NotFound, "session_not_found");
        await AssertProblemAsync(await Orchestrator.Http.DeleteAsync("/api/sessions/does-not-exist"), HttpStatusCode.NotFound, "session_not_found");
        await AssertProblemAsync(await Orchestrator.Http.GetAsync("/api/nothing-here"), HttpStatusCode.NotFound, "not_found");

        using var socket = new ClientWebSocket();
        var ws = new UriBuilder(Orchestrator.BaseUri) { Scheme = "ws", Path = "/ws/sessions/unknown" }.Uri;
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(ws, CancellationToken.None));
        Assert.Contains("404", refused.Message);

        Assert.Equal(HttpStatusCode.OK, (await Orchestrator.Http.GetAsync("/health")).StatusCode);
        Assert.Empty(RunnerLeftovers.RunnerDirs(Orchestrator.WorkRoot));
    }

    [Fact]
    public async Task BadInputEventsGetErrorMessagesAndTheConnectionStaysOpen()
    {
        var id = await Orchestrator.CreateReadySessionAsync(Site.Url(TestSite.Pages.ClickToBlue));
        using var socket = new SessionSocket(await Orchestrator.ConnectAsync(id));
        var bad = new (string Text, string Code)[]
        {
            ("{not json", "invalid_json"),
            ("42", "invalid_json"),
            ("""{"type":"teleport"}""", "unknown_type"),
            ("""{"type":"mousemove"}""", "missing_field"),
            ("""{"type":"mousemove","x":"left","y":1}""", "invalid_field"),
            ("""{"type":"mousedown","x":1,"y":1,"button":"fourth"}""", "invalid_field"),
            ("""{"type":"keydown"}""", "missing_field"),
            ("""{"type":"keydown","key":"a","modifiers":"ctrl"}""", "invalid_field"),
            ("""{"type":"text","text":""}""", "missing_field"),
            ("""{"type":"text","text":"SIZE"}""".Replace("SIZE", new string('x', 5000)), "too_long"),
            ("{\"type\":\"text\",\"text\":\"" + new string('y', 70_000) + "\"}", "message_too_large"),
        };
        foreach (var (text, code) in bad)
        {
            await socket.SendTextAsync(text);
            var error = await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "error", TimeSpan.FromSeconds(5), $"error for {code}");
            Assert.Equal(code, error.GetProperty("code").GetString());
        }
        await socket.Socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        var binary = await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "error", TimeSpan.FromSeconds(5), "binary refused");
        Assert.Equal("binary_not_accepted", binary.GetProperty("code").GetString());

        // Still open and still driving the page.
        await socket.SendJsonAsync(new { type = "mousedown", x = 100, y = 100, button = "left" });
        await socket.SendJsonAsync(new { type = "mouseup", x = 100, y = 100, button = "left" });
        await socket.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 0, 0, 255), TimeSpan.FromSeconds(10), "blue after a valid click");
        Assert.Equal("ready", (await Orchestrator.GetSessionAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task SignalingRefusesUnknownSessionsAndNonSdpBodies()
    {
        await AssertProblemAsync(await Orchestrator.Http.PostAsync("/api/sessions/nope/offer", new StringContent("v=0\r\n")),
            HttpStatusCode.NotFound, "session_not_found");
        await AssertProblemAsync(await Orchestrator.Http.GetAsync("/api/sessions/nope/ice"), HttpStatusCode.NotFound, "session_not_found");
        var id = await Orchestrator.CreateReadySessionAsync(Site.Url(TestSite.Pages.Red));
        await AssertProblemAsync(await Orchestrator.Http.PostAsync($"/api/sessions/{id}/offer", new StringContent("hello")),
            HttpStatusCode.BadRequest, "invalid_offer");
        await AssertProblemAsync(await Orchestrator.Http.PostAsync($"/api/sessions/{id}/offer",
            new StringContent("{\"nope\":1}", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "invalid_offer");
        var ice = await Orchestrator.Http.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/ice");
        Assert.Equal(JsonValueKind.Array, ice.GetProperty("iceServers").ValueKind);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }
}
