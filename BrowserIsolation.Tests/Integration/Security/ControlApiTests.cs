using System.Net;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>The browser control API (navigation, history, tabs) and the events clients get for it.</summary>
[Trait("Category", "Integration")]
public sealed class ControlApiTests(SecuredEnvironment env) : IClassFixture<SecuredEnvironment>
{
    [Fact]
    public async Task NavigationHistoryAndTabsWorkAndClientsHearOfThem()
    {
        var one = env.Site.TitledPage("/one", "one", "rgb(255,0,0)");
        var two = env.Site.TitledPage("/two", "two", "rgb(0,255,0)");
        var three = env.Site.TitledPage("/three", "three", "rgb(0,0,255)");
        var (id, owner) = await env.Api.CreateReadyAsync(one, SecuredEnvironment.ApiKey);
        var controller = (await env.Api.IssueTokenAsync(id, owner, new { role = "controller" })).GetProperty("token").GetString()!;
        using var socket = new SessionSocket(await env.Api.ConnectAsync(id, owner));
        await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "tabs", TimeSpan.FromSeconds(10), "the tabs on joining");
        await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "policy", TimeSpan.FromSeconds(10), "the policy on joining");

        var navigated = await env.Api.NavigateAsync(id, two, controller);
        Assert.Equal(two, navigated.GetProperty("url").GetString());
        var event2 = await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "navigation" && e.GetProperty("title").GetString() == "two",
            TimeSpan.FromSeconds(10), "navigation to two");
        Assert.True(event2.GetProperty("canGoBack").GetBoolean());
        await ShowsAsync(id, owner, 0, 255, 0, "green");

        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/back", bearer: controller);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await env.Api.WaitForTitleAsync(id, controller, "one");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/forward", bearer: controller);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await env.Api.WaitForTitleAsync(id, controller, "two");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/forward", bearer: controller);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Conflict, "no_forward_history");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/reload", bearer: controller);
        Assert.True(status == HttpStatusCode.OK, body.ToString());

        // A new tab opens with the new-tab URL (or the one given), becomes active and is streamed.
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/tabs", new { url = three }, controller);
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        var threeId = body.GetProperty("tabId").GetString()!;
        await ShowsAsync(id, owner, 0, 0, 255, "blue from the new tab");
        await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "tabs" && e.GetProperty("tabs").GetArrayLength() == 2,
            TimeSpan.FromSeconds(10), "two tabs");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/tabs", bearer: controller);
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        Assert.Equal("about:blank", body.GetProperty("url").GetString());
        var blankId = body.GetProperty("tabId").GetString()!;

        var tabs = await env.Api.TabsAsync(id, controller);
        Assert.Equal(3, tabs.GetArrayLength());
        var firstId = tabs.EnumerateArray().First(t => t.GetProperty("title").GetString() == "two").GetProperty("tabId").GetString()!;
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/tabs/{firstId}/activate", bearer: controller);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await ShowsAsync(id, owner, 0, 255, 0, "green again after switching");

        Assert.Equal(HttpStatusCode.NoContent, (await env.Api.SendAsync(HttpMethod.Delete, $"/api/sessions/{id}/tabs/{blankId}", bearer: controller)).Status);
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Delete, $"/api/sessions/{id}/tabs/{blankId}", bearer: controller);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.NotFound, "tab_not_found");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Delete, $"/api/sessions/{id}/tabs/..%2F..%2Fpolicy", bearer: controller);
        Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{(int)status} {body}");

        // Closing the active tab moves the picture to another one.
        Assert.Equal(HttpStatusCode.NoContent, (await env.Api.SendAsync(HttpMethod.Delete, $"/api/sessions/{id}/tabs/{firstId}", bearer: controller)).Status);
        await ShowsAsync(id, owner, 0, 0, 255, "blue after closing the active tab");
        Assert.Equal(threeId, SecurityApi.Active(await env.Api.TabsAsync(id, controller)).GetProperty("tabId").GetString());

        // Navigation to a tab by id, and bad input.
        var byTab = await env.Api.NavigateAsync(id, one, controller);
        Assert.Equal(threeId, byTab.GetProperty("tabId").GetString());
        foreach (var bad in new[] { "{}", "{\"url\":42}", "{\"url\":\"not a url\"}", "[]", "{\"url\":\"https://x\",\"tabId\":\"nope\"}" })
        {
            (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/navigate", bearer: controller, rawBody: bad);
            Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{bad}: {(int)status} {body}");
            Assert.True(body.TryGetProperty("code", out _), $"{bad}: no problem code in {body}");
        }
    }

    /// <summary>A fresh client gets the latest picture at once, so a static page can be checked at any time.</summary>
    private async Task ShowsAsync(string id, string token, byte r, byte g, byte b, string what)
    {
        using var look = new SessionSocket(await env.Api.ConnectAsync(id, token));
        await look.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, r, g, b), TimeSpan.FromSeconds(10), what);
    }
}
