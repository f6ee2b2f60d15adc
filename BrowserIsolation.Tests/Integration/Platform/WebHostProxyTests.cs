using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Platform;

/// <summary>The Web host of the Aspire composition: finds the orchestrator through service discovery (services__*) and forwards API and WebSocket through YARP.</summary>
[Trait("Category", "Integration")]
public sealed class WebHostProxyTests
{
    [Fact]
    public async Task WebHostServesTheUiAndProxiesApiAndStreamToTheDiscoveredOrchestrator()
    {
        await using var site = await TestSite.StartAsync();
        await using var orchestrator = await OrchestratorProcess.StartAsync();
        await using var web = await WebHostProcess.StartAsync(orchestrator.BaseUri);
        var baseUri = web.BaseUri;
        using var http = new HttpClient { BaseAddress = baseUri };

        Assert.Contains("<div id=\"root\">", await http.GetStringAsync("/"));
        var created = await http.PostAsJsonAsync("/api/sessions?wait=true", new { url = site.Url(TestSite.Pages.Red) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessionId").GetString()!;
        var missing = await http.GetAsync("/api/sessions/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(baseUri) { Scheme = "ws", Path = $"/ws/sessions/{id}" }.Uri, CancellationToken.None);
        using var session = new SessionSocket(socket);
        await session.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 255, 0, 0), TimeSpan.FromSeconds(15), "red through the Web host");
    }

    [Fact]
    public async Task EveryApiAndWsSpellingReachesTheOrchestratorWhichJudgesTheOrigin()
    {
        await using var orchestrator = await OrchestratorProcess.StartAsync();
        await using var web = await WebHostProcess.StartAsync(orchestrator.BaseUri);
        using var http = new HttpClient { BaseAddress = web.BaseUri };

        // The orchestrator's own problem answers, never this host's UI fallback.
        foreach (var path in new[] { "/API/sessions/nope", "/Api/Sessions/nope", "/%61pi/sessions/nope", "/aPi/nothing-here" })
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        foreach (var path in new[] { "/WS/sessions/nope", "/Ws/Sessions/nope" })
        {
            using var response = await http.GetAsync(path);
            Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
        }
        // Empty leading segments mean the API too: a problem, never the UI's page.
        foreach (var path in new[] { "//api/sessions", "///API/sessions/nope", "//ws/sessions/nope" })
        {
            using var response = await http.GetAsync(new Uri(web.BaseUri.GetLeftPart(UriPartial.Authority) + path));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        // A body over Kestrel's 30 MB default is not refused here: it goes on to the orchestrator, which decides. (For an
        // unknown session it answers 404 before reading the body and ends the connection, which the proxy reports as 502.)
        using (var big = new ByteArrayContent(new byte[40 * 1024 * 1024]))
        {
            using var response = await http.PostAsync("/api/sessions/nope/uploads/c1", big);
            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadGateway,
                $"40 MB upload through the Web host: {(int)response.StatusCode} (413 = refused by the Web host itself)");
        }

        // A page of this host is the orchestrator's own origin; any other origin is the orchestrator's to refuse.
        var own = web.BaseUri.GetLeftPart(UriPartial.Authority);
        Assert.Equal(HttpStatusCode.NotFound, await PostWithOriginAsync(http, own));
        Assert.Equal(HttpStatusCode.Forbidden, await PostWithOriginAsync(http, "http://evil.example"));
    }

    private static async Task<HttpStatusCode> PostWithOriginAsync(HttpClient http, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/nothing-here") { Content = new StringContent("{}") };
        request.Headers.Add("Origin", origin);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
