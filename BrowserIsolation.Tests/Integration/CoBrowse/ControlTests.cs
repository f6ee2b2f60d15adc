using System.Net;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;
using BrowserIsolation.Tests.Integration.Security;
using static BrowserIsolation.Tests.Integration.CoBrowse.LiveSocket;

namespace BrowserIsolation.Tests.Integration.CoBrowse;

/// <summary>The control state machine as the runner enforces it, driven over raw WebSockets and the REST mirror.</summary>
[Trait("Category", "CoBrowse")]
public sealed class ControlTests(CoBrowseEnvironment env) : IClassFixture<CoBrowseEnvironment>
{
    private static object Press => new { type = "mousedown", x = 200, y = 200, button = "left", clickCount = 1 };

    private static object Lift => new { type = "mouseup", x = 200, y = 200, button = "left", clickCount = 1 };

    private async Task<int> PressesAsync(string id, string token) =>
        int.Parse(SecurityApi.Active(await env.Api.TabsAsync(id, token)).GetProperty("title").GetString()!.Split(':')[1]);

    private async Task WaitForPressesAsync(string id, string token, int expected) =>
        await env.Api.WaitForTitleAsync(id, token, $"presses:{expected}");

    private static async Task<JsonElement> RefusalAsync(LiveSocket socket, string code)
    {
        var mark = socket.Mark();
        await socket.SendAsync(Press);
        var error = await socket.WaitAsync(e => Type(e) == "error", $"an error {code}", mark);
        Assert.Equal(code, error.GetProperty("code").GetString());
        return error;
    }

    [Fact]
    public async Task OnlyTheHolderDrivesAndControlIsAskedForGrantedTakenBackAndReleased()
    {
        var (id, ownerToken, controllerToken, viewerToken) = await env.MeetingAsync(env.ClickPage());
        await using var owner = await ConnectAsync(env.Orchestrator, id, ownerToken);
        await using var controller = await ConnectAsync(env.Orchestrator, id, controllerToken);
        await using var viewer = await ConnectAsync(env.Orchestrator, id, viewerToken);
        await viewer.WaitForSnapshotAsync(s => People(s).Count() == 3 && Holder(s) is null, "everyone here, nobody in control");
        await owner.SendAsync(new { type = "control", action = "take" });
        await viewer.WaitForSnapshotAsync(s => Holder(s) == owner.ParticipantId, "the owner in control");

        // Without control nothing reaches the page: a controller is told to ask, a viewer that it may not.
        await RefusalAsync(controller, "no_control");
        await RefusalAsync(viewer, "forbidden");
        var mark = viewer.Mark();
        await viewer.SendAsync(new { type = "control", action = "request" });
        Assert.Equal("viewer_cannot_control", (await viewer.WaitAsync(e => Type(e) == "error", "refused request", mark)).GetProperty("code").GetString());
        // The address bar and tabs need control too.
        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/navigate", new { url = env.Site.Url("/elsewhere") }, controllerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Conflict, "no_control");
        await Task.Delay(300);
        Assert.Equal(0, await PressesAsync(id, ownerToken));

        // Ask; everyone sees the request; the owner grants it.
        mark = viewer.Mark();
        await controller.SendAsync(new { type = "control", action = "request" });
        var requested = await viewer.WaitAsync(e => Type(e) == "control" && e.GetProperty("change").GetProperty("action").GetString() == "requested",
            "the request", mark);
        Assert.Equal([controller.ParticipantId], requested.GetProperty("requests").EnumerateArray().Select(r => r.GetString()));
        await owner.SendAsync(new { type = "control", action = "grant", participantId = controller.ParticipantId });
        await viewer.WaitAsync(e => Type(e) == "control" && e.GetProperty("holder").GetString() == controller.ParticipantId, "the grant", mark);

        // The holder's press reaches the page and ripples for everyone; the owner no longer drives.
        mark = viewer.Mark();
        await controller.SendAsync(Press);
        await controller.SendAsync(Lift);
        await WaitForPressesAsync(id, ownerToken, 1);
        await controller.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 0, 0, 255), "blue after the controller's press");
        var ripple = await viewer.WaitAsync(e => Type(e) == "click", "the click ripple", mark);
        Assert.Equal(controller.ParticipantId, ripple.GetProperty("participantId").GetString());
        Assert.Equal((200, 200), (ripple.GetProperty("x").GetInt32(), ripple.GetProperty("y").GetInt32()));
        await RefusalAsync(owner, "no_control");

        // The owner takes it back at any time.
        mark = viewer.Mark();
        await owner.SendAsync(new { type = "control", action = "take" });
        var taken = await viewer.WaitAsync(e => Type(e) == "control" && e.GetProperty("change").GetProperty("action").GetString() == "taken", "taken", mark);
        Assert.Equal(controller.ParticipantId, taken.GetProperty("change").GetProperty("previous").GetString());
        await RefusalAsync(controller, "no_control");
        mark = controller.Mark();
        await controller.SendAsync(new { type = "control", action = "release" });
        Assert.Equal("not_in_control", (await controller.WaitAsync(e => Type(e) == "error", "release refused", mark)).GetProperty("code").GetString());
        await owner.SendAsync(Press);
        await owner.SendAsync(Lift);
        await WaitForPressesAsync(id, ownerToken, 2);

        // Released, control is free: the next controller to act takes it, and may then use the address bar.
        mark = viewer.Mark();
        await owner.SendAsync(new { type = "control", action = "release" });
        await viewer.WaitAsync(e => Type(e) == "control" && e.GetProperty("holder").ValueKind == JsonValueKind.Null, "free control", mark);
        await controller.SendAsync(Press);
        await controller.SendAsync(Lift);
        await WaitForPressesAsync(id, ownerToken, 3);
        await viewer.WaitAsync(e => Type(e) == "control" && e.GetProperty("holder").GetString() == controller.ParticipantId, "taken on first use", mark);
        await env.Api.NavigateAsync(id, env.Site.TitledPage("/cobrowse-next", "next"), controllerToken);
        await env.Api.WaitForTitleAsync(id, ownerToken, "next");
    }

    [Fact]
    public async Task TheIdleTimeoutHandsControlBackAndSharedModeLetsEveryoneDrive()
    {
        var (id, ownerToken, controllerToken, viewerToken) = await env.MeetingAsync(env.ClickPage());
        await using var owner = await ConnectAsync(env.Orchestrator, id, ownerToken);
        await using var controller = await ConnectAsync(env.Orchestrator, id, controllerToken);
        await using var viewer = await ConnectAsync(env.Orchestrator, id, viewerToken);

        // Bad settings are problems.
        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/control", new { mode = "chaos" }, ownerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.BadRequest, "invalid_json");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/control", new { idleTimeoutSeconds = -1 }, ownerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.BadRequest, "invalid_idle_timeout");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/control", new { idleTimeoutSeconds = 1 }, controllerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Forbidden, "role_forbidden");

        // Granted over REST; a second of no input hands it back to the owner.
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/control", new { idleTimeoutSeconds = 1 }, ownerToken);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal(1000, body.GetProperty("idleTimeoutMs").GetInt64());
        var mark = viewer.Mark();
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/participants/{controller.ParticipantId}/control", null, ownerToken);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal(controller.ParticipantId, body.GetProperty("holder").GetString());
        var idle = await viewer.WaitAsync(e => Type(e) == "control" && e.GetProperty("change").GetProperty("action").GetString() == "idle",
            "the idle hand-back", mark, TimeSpan.FromSeconds(6));
        Assert.Equal(owner.ParticipantId, idle.GetProperty("holder").GetString());
        Assert.Equal(controller.ParticipantId, idle.GetProperty("change").GetProperty("previous").GetString());
        await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/control", new { idleTimeoutSeconds = 0 }, ownerToken);

        // Shared: the owner and the controller both drive; the viewer still does not.
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/control", new { mode = "shared" }, ownerToken);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal(2, body.GetProperty("controllers").GetArrayLength());
        foreach (var driver in new[] { owner, controller })
        {
            await driver.SendAsync(Press);
            await driver.SendAsync(Lift);
        }
        await WaitForPressesAsync(id, ownerToken, 2);
        await RefusalAsync(viewer, "forbidden");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/participants/{controller.ParticipantId}/control", null, ownerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Conflict, "shared_mode");
    }
}
