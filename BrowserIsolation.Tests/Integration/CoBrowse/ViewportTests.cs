using static BrowserIsolation.Tests.Integration.CoBrowse.LiveSocket;

namespace BrowserIsolation.Tests.Integration.CoBrowse;

/// <summary>The remote viewport following the owner's window, and input mapped in its pixels (raw WebSockets).</summary>
[Trait("Category", "CoBrowse")]
public sealed class ViewportTests(CoBrowseEnvironment env) : IClassFixture<CoBrowseEnvironment>
{
    private const string WherePage = """
        <!doctype html><title>where</title>
        <body style='margin:0;height:100vh;background:rgb(255,0,0)'
              onmousedown="document.title='at:'+event.clientX+','+event.clientY+' of '+innerWidth+'x'+innerHeight"></body>
        """;

    [Fact]
    public async Task FollowOwnerResizesTheViewportForEveryoneAndFixedRestoresIt()
    {
        var (id, ownerToken, controllerToken, _) = await env.MeetingAsync(env.Site.Page("/viewport-where", WherePage));
        await using var owner = await ConnectAsync(env.Orchestrator, id, ownerToken);
        await using var controller = await ConnectAsync(env.Orchestrator, id, controllerToken);
        var initial = await controller.WaitAsync(e => Type(e) == "viewport", "the viewport on connect");
        Assert.Equal("fixed", initial.GetProperty("mode").GetString());
        var (width, height) = (initial.GetProperty("width").GetInt32(), initial.GetProperty("height").GetInt32());

        // Only owners steer it.
        var mark = controller.Mark();
        await controller.SendAsync(new { type = "viewport-mode", mode = "follow-owner" });
        Assert.Equal("not_allowed", (await controller.WaitAsync(e => Type(e) == "error", "refused mode", mark)).GetProperty("code").GetString());

        await owner.SendAsync(new { type = "viewport-mode", mode = "follow-owner" });
        await controller.WaitAsync(e => Type(e) == "viewport" && e.GetProperty("mode").GetString() == "follow-owner", "follow-owner", mark);
        await controller.SendAsync(new { type = "viewport-size", width = 640, height = 480 }); // ignored: not an owner
        await owner.SendAsync(new { type = "viewport-size", width = 901, height = 501 });
        var resized = await controller.WaitAsync(e => Type(e) == "viewport" && e.GetProperty("width").GetInt32() == 900, "the owner's size", mark);
        Assert.Equal(500, resized.GetProperty("height").GetInt32());
        await controller.WaitForFrameAsync(f => f.Width == 900 && f.Height == 500, "900x500 frames");

        // Input stays in viewport pixels of the new size.
        await controller.SendAsync(new { type = "mousedown", x = 850, y = 450, button = "left", clickCount = 1 });
        await controller.SendAsync(new { type = "mouseup", x = 850, y = 450, button = "left", clickCount = 1 });
        await env.Api.WaitForTitleAsync(id, ownerToken, "at:850,450 of 900x500");

        // Fixed again: the session's own size comes back.
        mark = controller.Mark();
        await owner.SendAsync(new { type = "viewport-mode", mode = "fixed" });
        await controller.WaitAsync(e => Type(e) == "viewport" && e.GetProperty("mode").GetString() == "fixed" && e.GetProperty("width").GetInt32() == width,
            "the fixed size again", mark);
        await controller.WaitForFrameAsync(f => f.Width == width && f.Height == height, $"{width}x{height} frames again");

        // Bad values are errors, the socket stays.
        mark = owner.Mark();
        await owner.SendAsync(new { type = "viewport-size", width = "wide", height = 10 });
        Assert.Equal("invalid_field", (await owner.WaitAsync(e => Type(e) == "error", "bad size", mark)).GetProperty("code").GetString());
        await owner.SendAsync(new { type = "viewport-mode", mode = "huge" });
        await owner.WaitAsync(e => Type(e) == "error" && e.GetProperty("message").GetString()!.Contains("follow-owner"), "bad mode", mark);
    }
}
