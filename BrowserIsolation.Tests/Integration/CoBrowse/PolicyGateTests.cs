using System.Net;
using System.Net.Http.Headers;
using BrowserIsolation.Tests.Integration.Security;
using static BrowserIsolation.Tests.Integration.CoBrowse.LiveSocket;

namespace BrowserIsolation.Tests.Integration.CoBrowse;

/// <summary>Paste, copy and file uploads as the runner enforces them (raw WebSockets and REST, no Web UI in between).</summary>
[Trait("Category", "CoBrowse")]
public sealed class PolicyGateTests(CoBrowseEnvironment env) : IClassFixture<CoBrowseEnvironment>
{
    private const string FormPage = """
        <!doctype html><title>form</title>
        <body style='margin:0;background:#fff'>
        <textarea id=t autofocus style='position:absolute;left:20px;top:20px;width:400px;height:100px'
          oninput="document.title='value:'+this.value">copy me</textarea>
        <input type=file id=f multiple style='position:absolute;left:20px;top:300px;width:300px;height:50px'
          onchange="document.title='files:'+[...this.files].map(f=>f.name+'='+f.size).join(',')">
        </body>
        """;

    private static object Key(string type, string key, string code, int modifiers) => new { type, key, code, modifiers };

    private async Task<HttpStatusCode> UploadAsync(string id, string chooser, string token, params (string Name, string Content)[] files)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
        {
            var part = new StringContent(content);
            part.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            form.Add(part, "file", name);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{id}/uploads/{chooser}") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await env.Orchestrator.Http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task PasteCopyAndUploadsWorkForTheHolderAndStopWhenThePolicySaysNo()
    {
        var (id, ownerToken, controllerToken, _) = await env.MeetingAsync(env.Site.Page("/gate-form", FormPage));
        await using var owner = await ConnectAsync(env.Orchestrator, id, ownerToken);
        await using var controller = await ConnectAsync(env.Orchestrator, id, controllerToken);
        await controller.SendAsync(new { type = "control", action = "request" });
        await controller.WaitForSnapshotAsync(s => Holder(s) == controller.ParticipantId, "the controller in control");

        // The form must have loaded (its copy listener with it) before the keys go in: a ready session may still be loading it.
        await controller.WaitAsync(e => Type(e) == "navigation" && e.TryGetProperty("title", out var t) && t.GetString() == "form", "the form page loaded");

        // Copy: select all, Ctrl+C; the copied text goes to the holder only.
        var mark = owner.Mark();
        await controller.SendAsync(new { type = "mousedown", x = 100, y = 50, button = "left", clickCount = 1 });
        await controller.SendAsync(new { type = "mouseup", x = 100, y = 50, button = "left", clickCount = 1 });
        foreach (var (key, code) in new[] { ("a", "KeyA"), ("c", "KeyC") })
        {
            await controller.SendAsync(Key("keydown", key, code, 2));
            await controller.SendAsync(Key("keyup", key, code, 2));
        }
        var copied = await controller.WaitAsync(e => Type(e) == "clipboard", "the copied text");
        Assert.Equal("copy me", copied.GetProperty("text").GetString());
        await owner.AssertNoneAsync(e => Type(e) == "clipboard", "the copied text at a participant without control", TimeSpan.FromMilliseconds(300), mark);

        // Paste replaces the selection.
        await controller.SendAsync(new { type = "paste", text = "pasted" });
        await env.Api.WaitForTitleAsync(id, ownerToken, "value:pasted");

        // Upload: a click on the file input asks the holder for files; only the holder may answer.
        mark = controller.Mark();
        await controller.SendAsync(new { type = "mousedown", x = 100, y = 325, button = "left", clickCount = 1 });
        await controller.SendAsync(new { type = "mouseup", x = 100, y = 325, button = "left", clickCount = 1 });
        var chooser = await controller.WaitAsync(e => Type(e) == "file-chooser", "the file chooser", mark);
        Assert.Equal("multiple", chooser.GetProperty("mode").GetString());
        var chooserId = chooser.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Conflict, await UploadAsync(id, chooserId, ownerToken, ("x.txt", "x")));
        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/uploads/{chooserId}", new { }, controllerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.BadRequest, "multipart_required");
        Assert.Equal(HttpStatusCode.OK, await UploadAsync(id, chooserId, controllerToken, ("../../etc/a.txt", "hello"), ("b.txt", "hi")));
        await env.Api.WaitForTitleAsync(id, ownerToken, "files:a.txt=5,b.txt=2");
        await owner.WaitAsync(e => Type(e) == "file-chooser-closed" && e.GetProperty("id").GetString() == chooserId, "the chooser closed for everyone");
        Assert.Equal(HttpStatusCode.NotFound, await UploadAsync(id, chooserId, controllerToken, ("again.txt", "x")));
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/uploads/not-hex", new { }, controllerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.BadRequest, "invalid_chooser_id");

        // The policy turns all three off, and the runner refuses each.
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/policy",
            new { allowPasteIn = false, allowCopyOut = false, allowUploads = false }, CoBrowseEnvironment.ApiKey);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await controller.WaitAsync(e => Type(e) == "policy" && !e.GetProperty("allowUploads").GetBoolean(), "the new policy");
        mark = controller.Mark();
        await controller.SendAsync(new { type = "paste", text = "refused" });
        Assert.Equal("paste_blocked", (await controller.WaitAsync(e => Type(e) == "error", "paste refused", mark)).GetProperty("code").GetString());
        await controller.SendAsync(new { type = "mousedown", x = 100, y = 50, button = "left", clickCount = 1 });
        await controller.SendAsync(new { type = "mouseup", x = 100, y = 50, button = "left", clickCount = 1 });
        mark = controller.Mark();
        foreach (var (key, code) in new[] { ("a", "KeyA"), ("c", "KeyC") })
        {
            await controller.SendAsync(Key("keydown", key, code, 2));
            await controller.SendAsync(Key("keyup", key, code, 2));
        }
        Assert.Equal("copy_blocked", (await controller.WaitAsync(e => Type(e) == "error", "copy refused", mark)).GetProperty("code").GetString());
        await controller.AssertNoneAsync(e => Type(e) == "clipboard", "copied text despite the policy", TimeSpan.FromMilliseconds(300), mark);
        mark = controller.Mark();
        await controller.SendAsync(new { type = "mousedown", x = 100, y = 325, button = "left", clickCount = 1 });
        await controller.SendAsync(new { type = "mouseup", x = 100, y = 325, button = "left", clickCount = 1 });
        Assert.Equal("upload_blocked", (await controller.WaitAsync(e => Type(e) == "error", "upload refused", mark)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, await UploadAsync(id, chooserId, controllerToken, ("late.txt", "x")));
        Assert.Equal("files:a.txt=5,b.txt=2", SecurityApi.Active(await env.Api.TabsAsync(id, ownerToken)).GetProperty("title").GetString());
    }
}
