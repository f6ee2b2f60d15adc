using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>Behind the Web host (the Aspire composition) its own pages are same-site; other origins stay refused.</summary>
[Trait("Category", "Integration")]
[Trait("Category", "Security")]
public sealed class WebHostOriginTests
{
    [Fact]
    public async Task TheWebHostsOwnPagesMayStreamAndOtherSitesMayNot()
    {
        await using var site = await TestSite.StartAsync();
        await using var orchestrator = await OrchestratorProcess.StartAsync();
        await using var web = await WebHostProcess.StartAsync(orchestrator.BaseUri);
        var baseUri = web.BaseUri;
        var own = baseUri.GetLeftPart(UriPartial.Authority);
        using var http = new HttpClient { BaseAddress = baseUri };

        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/sessions?wait=true") { Content = JsonContent.Create(new { url = site.Url(TestSite.Pages.Red) }) };
        create.Headers.Add("Origin", own);
        var created = await http.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("sessionId").GetString()!;
        var token = body.GetProperty("ownerToken").GetProperty("token").GetString()!;

        using var forged = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = JsonContent.Create(new { url = site.Url(TestSite.Pages.Red) }) };
        forged.Headers.Add("Origin", "http://attacker.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(forged)).StatusCode);

        var ws = new UriBuilder(baseUri) { Scheme = "ws", Path = $"/ws/sessions/{id}", Query = "token=" + Uri.EscapeDataString(token) }.Uri;
        using (var hijack = new ClientWebSocket())
        {
            hijack.Options.SetRequestHeader("Origin", "http://attacker.example");
            await Assert.ThrowsAsync<WebSocketException>(() => hijack.ConnectAsync(ws, CancellationToken.None));
        }
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", own);
        await socket.ConnectAsync(ws, CancellationToken.None);
        using var session = new SessionSocket(socket);
        await session.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 255, 0, 0), TimeSpan.FromSeconds(15), "red through the Web host");
    }
}
