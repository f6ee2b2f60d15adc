using System.Net;
using System.Text.Json;
using BrowserIsolation.Tests.Integration.Security;
using static BrowserIsolation.Tests.Integration.CoBrowse.LiveSocket;

namespace BrowserIsolation.Tests.Integration.CoBrowse;

/// <summary>An owner changes roles and removes participants; a reconnect keeps a participant's place.</summary>
[Trait("Category", "CoBrowse")]
public sealed class ParticipantManagementTests(CoBrowseEnvironment env) : IClassFixture<CoBrowseEnvironment>
{
    [Fact]
    public async Task ReconnectKeepsControlRolesChangeLiveAndARemovedParticipantIsOutForGood()
    {
        var (id, ownerToken, controllerToken, viewerToken) = await env.MeetingAsync(env.ClickPage());
        await using var owner = await ConnectAsync(env.Orchestrator, id, ownerToken);
        var controller = await ConnectAsync(env.Orchestrator, id, controllerToken);
        await using var viewer = await ConnectAsync(env.Orchestrator, id, viewerToken);
        var ann = controller.ParticipantId;
        var val = viewer.ParticipantId;
        await owner.SendAsync(new { type = "control", action = "grant", participantId = ann });
        await owner.WaitForSnapshotAsync(s => Holder(s) == ann, "Ann in control");

        // A network blip: the same participant comes back within the grace and still has control; nobody saw it leave.
        var mark = owner.Mark();
        controller.Socket.Abort();
        await controller.DisposeAsync();
        await owner.WaitForSnapshotAsync(s => People(s).Any(p => p.GetProperty("participantId").GetString() == ann && !p.GetProperty("connected").GetBoolean()),
            "Ann away", mark);
        controller = await ConnectAsync(env.Orchestrator, id, controllerToken);
        Assert.Equal(ann, controller.ParticipantId);
        var back = await controller.WaitForSnapshotAsync(s => People(s).Count() == 3, "the snapshot after the reconnect");
        Assert.Equal(ann, Holder(back));
        await owner.AssertNoneAsync(e => Type(e) == "left", "a left event for the blip", TimeSpan.FromSeconds(3.5), mark);

        // Roles change at once, over REST, by the owner.
        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/participants/{val}", new { role = "controller" }, ownerToken);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("controller", body.GetProperty("role").GetString());
        await viewer.WaitForSnapshotAsync(s => People(s).Any(p => p.GetProperty("participantId").GetString() == val && p.GetProperty("role").GetString() == "controller"),
            "Val promoted");
        await viewer.SendAsync(new { type = "control", action = "request" });
        await owner.WaitAsync(e => Type(e) == "control" && e.GetProperty("requests").EnumerateArray().Any(r => r.GetString() == val), "Val's request");

        // Refusals: an owner's token makes no owners; bad bodies and ids are problems; others may only look.
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/participants/{val}", new { role = "owner" }, ownerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Forbidden, "role_forbidden");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/participants/{val}", new { role = "boss" }, ownerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.BadRequest, "invalid_role");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/participants/{val}", rawBody: "{", bearer: ownerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.BadRequest, "invalid_json");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/participants/p-nobody", new { role = "viewer" }, ownerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.NotFound, "participant_not_found");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Delete, $"/api/sessions/{id}/participants/bad%20id", bearer: ownerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.BadRequest, "invalid_participant_id");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Delete, $"/api/sessions/{id}/participants/{owner.ParticipantId}", bearer: controllerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Forbidden, "role_forbidden");

        // Removal: told, disconnected, its control passed on to the waiting request, and its token dead everywhere.
        mark = owner.Mark();
        (status, _, _) = await env.Api.SendAsync(HttpMethod.Delete, $"/api/sessions/{id}/participants/{ann}", bearer: ownerToken);
        Assert.Equal(HttpStatusCode.NoContent, status);
        await controller.WaitAsync(e => Type(e) == "removed", "the removed event");
        for (var i = 0; i < 100 && !controller.Closed; i++)
        {
            await Task.Delay(50);
        }
        Assert.True(controller.Closed, "the removed participant's socket is still open");
        var left = await owner.WaitAsync(e => Type(e) == "left" && e.GetProperty("participantId").GetString() == ann, "Ann left", mark);
        Assert.Equal("removed", left.GetProperty("reason").GetString());
        await owner.WaitAsync(e => Type(e) == "control" && e.GetProperty("holder").GetString() == val, "control passed to Val", mark);
        Assert.Equal(HttpStatusCode.Unauthorized, await env.Api.RefusedConnectAsync(id, controllerToken));
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Get, $"/api/sessions/{id}/participants", bearer: controllerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Unauthorized, "token_revoked");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/tokens", new { participantId = ann, role = "controller" }, ownerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Conflict, "participant_removed");
        (status, _, _) = await env.Api.SendAsync(HttpMethod.Delete, $"/api/sessions/{id}/participants/{ann}", bearer: ownerToken);
        Assert.Equal(HttpStatusCode.NoContent, status);

        (status, body, _) = await env.Api.SendAsync(HttpMethod.Get, $"/api/sessions/{id}/participants", bearer: viewerToken);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var ids = body.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("participantId").GetString()).ToList();
        Assert.DoesNotContain(ann, ids);
        Assert.Contains(val, ids);
        Assert.Equal(val, body.GetProperty("control").GetProperty("holder").GetString());
        await controller.DisposeAsync();
    }
}
