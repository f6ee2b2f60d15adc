using System.Diagnostics;
using System.Net;
using System.Text.Json;
using static BrowserIsolation.Tests.Integration.CoBrowse.LiveSocket;

namespace BrowserIsolation.Tests.Integration.CoBrowse;

/// <summary>Who is in a session, live: snapshots, joins, leaves, cursors and the picture for a late joiner (raw WebSockets).</summary>
[Trait("Category", "CoBrowse")]
public sealed class PresenceTests(CoBrowseEnvironment env) : IClassFixture<CoBrowseEnvironment>
{
    [Fact]
    public async Task EveryoneSeesEveryoneJoinMoveAndLeave()
    {
        var (id, ownerToken, controllerToken, viewerToken) = await env.MeetingAsync(env.ClickPage());
        await using var owner = await ConnectAsync(env.Orchestrator, id, ownerToken);
        await using var controller = await ConnectAsync(env.Orchestrator, id, controllerToken);
        var viewerJoined = Stopwatch.StartNew();
        await using var viewer = await ConnectAsync(env.Orchestrator, id, viewerToken);

        // A late joiner has a picture at once (the last frame is kept even though the page is static).
        while (viewer.Frames == 0)
        {
            Assert.True(viewerJoined.Elapsed < TimeSpan.FromSeconds(1), "the late joiner had no picture within a second");
            await Task.Delay(10);
        }

        foreach (var socket in new[] { owner, controller, viewer })
        {
            var snapshot = await socket.WaitForSnapshotAsync(s => People(s).Count() == 3, "all three present");
            var people = People(snapshot).ToDictionary(p => p.GetProperty("participantId").GetString()!);
            Assert.Equal("owner", people[owner.ParticipantId].GetProperty("role").GetString());
            Assert.Equal("controller", people[controller.ParticipantId].GetProperty("role").GetString());
            Assert.Equal("viewer", people[viewer.ParticipantId].GetProperty("role").GetString());
            Assert.Equal("Ann", people[controller.ParticipantId].GetProperty("name").GetString());
            Assert.Equal(3, people.Values.Select(p => p.GetProperty("color").GetString()).Distinct().Count());
            // Nobody has control until someone uses the page or asks.
            Assert.Null(Holder(snapshot));
            Assert.False(people[owner.ParticipantId].GetProperty("control").GetBoolean());
        }
        await owner.SendAsync(new { type = "control", action = "take" });
        await controller.WaitForSnapshotAsync(s => Holder(s) == owner.ParticipantId, "the owner taking control");
        await owner.WaitAsync(e => Type(e) == "joined" && e.GetProperty("participant").GetProperty("participantId").GetString() == viewer.ParticipantId,
            "the viewer's joined event");

        // Pointers: a viewer's moves reach the page nobody else, but show as its cursor to the others, not to itself.
        var mark = owner.Mark();
        await viewer.SendAsync(new { type = "mousemove", x = 100, y = 120, button = "none" });
        foreach (var other in new[] { owner, controller })
        {
            var cursor = await other.WaitAsync(e => Type(e) == "cursor" && e.GetProperty("participantId").GetString() == viewer.ParticipantId,
                "the viewer's cursor", since: other == owner ? mark : 0);
            Assert.Equal((100, 120), (cursor.GetProperty("x").GetInt32(), cursor.GetProperty("y").GetInt32()));
        }
        await controller.SendAsync(new { type = "cursor", x = 5, y = 6 });
        await viewer.WaitAsync(e => Type(e) == "cursor" && e.GetProperty("participantId").GetString() == controller.ParticipantId &&
            e.GetProperty("x").GetInt32() == 5, "the controller's cursor");
        await controller.SendAsync(new { type = "cursor", hidden = true });
        await viewer.WaitAsync(e => Type(e) == "cursor" && e.GetProperty("participantId").GetString() == controller.ParticipantId &&
            e.TryGetProperty("hidden", out var h) && h.GetBoolean(), "the controller's cursor hidden");
        await viewer.AssertNoneAsync(e => Type(e) is "error", "an error for the viewer's moves", TimeSpan.FromMilliseconds(300));
        await viewer.AssertNoneAsync(e => Type(e) == "cursor" && e.GetProperty("participantId").GetString() == viewer.ParticipantId,
            "its own cursor echoed", TimeSpan.Zero);

        // Quality reports are shared.
        await controller.SendAsync(new { type = "stats", transport = "jpeg", fps = 24.5, kbps = 900, rttMs = 12 });
        var quality = await owner.WaitAsync(e => Type(e) == "quality" && e.GetProperty("participants").EnumerateArray()
            .Any(q => q.GetProperty("participantId").GetString() == controller.ParticipantId), "the controller's quality");
        var reported = quality.GetProperty("participants").EnumerateArray().First(q => q.GetProperty("participantId").GetString() == controller.ParticipantId);
        Assert.Equal("jpeg", reported.GetProperty("transport").GetString());
        Assert.Equal(24.5, reported.GetProperty("fps").GetDouble());

        // Leaving: after the reconnect grace everyone is told.
        mark = owner.Mark();
        await viewer.DisposeAsync();
        var left = await owner.WaitAsync(e => Type(e) == "left" && e.GetProperty("participantId").GetString() == viewer.ParticipantId,
            "the viewer's left event", mark, TimeSpan.FromSeconds(10));
        Assert.Equal("left", left.GetProperty("reason").GetString());
        await controller.WaitForSnapshotAsync(s => People(s).Count() == 2, "two left");

        // The REST mirror shows the same.
        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Get, $"/api/sessions/{id}/participants", bearer: controllerToken);
        Assert.Equal(HttpStatusCode.OK, status);
        var listed = body.GetProperty("participants").EnumerateArray().ToDictionary(p => p.GetProperty("participantId").GetString()!);
        Assert.True(listed[owner.ParticipantId].GetProperty("connected").GetBoolean());
        Assert.True(listed[owner.ParticipantId].GetProperty("control").GetBoolean());
        Assert.False(listed[viewer.ParticipantId].GetProperty("connected").GetBoolean());
        Assert.Equal("Val", listed[viewer.ParticipantId].GetProperty("displayName").GetString());
        Assert.Equal(owner.ParticipantId, body.GetProperty("control").GetProperty("holder").GetString());
        Assert.Equal("exclusive", body.GetProperty("control").GetProperty("mode").GetString());
    }
}
