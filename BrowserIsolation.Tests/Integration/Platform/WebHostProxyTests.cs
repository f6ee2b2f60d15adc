using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Platform;

/// <summary>The Web host of the Aspire composition: finds the orchestrator through services__* and proxies API and WebSocket.</summary>
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
}
