using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// Uploads and downloads are held to per-session quotas (count and bytes), refused with clear errors, and uploads are
/// removed once handed over (the page that took them moved on).
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Security")]
[Collection(RunnerIsolationCollection.Name)]
public sealed class DiskQuotaTests(RunnerIsolationEnvironment env, ITestOutputHelper output)
{
    // The whole page is the file input; it reads what it gets, as a page sending it would.
    private const string UploadPage = """
        <title>upload</title>
        <body style="margin:0">
        <input type="file" multiple style="position:fixed;inset:0;width:100%;height:100%;opacity:0.5"
          onchange="Promise.all([...this.files].map(f=>f.text())).then(t=>document.title='read:'+t.map(x=>x.length).join(','))">
        </body>
        """;

    [Fact]
    public async Task UploadsOverTheCountOrSizeQuotaAreRefusedAndHandedOverOnesAreRemoved()
    {
        var (id, owner) = await env.Api.CreateReadyAsync(env.Site.Page("/upload-quota", UploadPage), env.ApiKey);
        var uploads = Path.Combine(RunnerLeftovers.RunnerDirOf(env.Orchestrator.WorkRoot, id), "uploads");
        using var socket = new SessionSocket(await env.Api.ConnectAsync(id, owner));
        await socket.SendJsonAsync(new { type = "control", action = "request" });
        await Task.Delay(300);

        var first = await OpenChooserAsync(socket);
        var (status, body) = await UploadAsync(id, first, owner, ("a.txt", new string('a', 10)), ("b.txt", new string('b', 20)));
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await env.Api.WaitForTitleAsync(id, owner, "read:10,20");
        Assert.Equal(2, Directory.EnumerateFiles(Path.Combine(uploads, first), "*", SearchOption.AllDirectories).Count());

        // Two held, three allowed: two more is one too many.
        var second = await OpenChooserAsync(socket);
        (status, body) = await UploadAsync(id, second, owner, ("c.txt", "c"), ("d.txt", "d"));
        SecurityApi.AssertProblem(status, body, HttpStatusCode.RequestEntityTooLarge, "upload_quota");
        output.WriteLine($"over count: {body.GetProperty("detail").GetString()}");
        // One file over the byte quota.
        (status, body) = await UploadAsync(id, second, owner, ("big.txt", new string('x', (int)RunnerIsolationEnvironment.MaxUploadBytes + 1)));
        SecurityApi.AssertProblem(status, body, HttpStatusCode.RequestEntityTooLarge, "upload_quota");
        output.WriteLine($"over size: {body.GetProperty("detail").GetString()}");
        Assert.False(Directory.Exists(Path.Combine(uploads, second)), "a refused upload left files");
        // Within the quota, the same chooser still takes a file.
        (status, body) = await UploadAsync(id, second, owner, ("e.txt", "eee"));
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await env.Api.WaitForTitleAsync(id, owner, "read:3");

        // The page moves on: what it was given is handed over and removed.
        await env.Api.NavigateAsync(id, env.Site.TitledPage("/after-upload", "after-upload"), owner);
        await env.Api.WaitForTitleAsync(id, owner, "after-upload");
        await Eventually(() => !Directory.Exists(Path.Combine(uploads, first)) && !Directory.Exists(Path.Combine(uploads, second)), "uploads removed after hand-over");
    }

    [Fact]
    public async Task DownloadsOverTheCountOrSizeQuotaAreCancelledAndDeleted()
    {
        var (id, owner) = await env.Api.CreateReadyAsync(env.Site.TitledPage("/dl-quota", "dl-quota"), env.ApiKey);
        var downloads = Path.Combine(RunnerLeftovers.RunnerDirOf(env.Orchestrator.WorkRoot, id), "downloads");
        using var socket = new SessionSocket(await env.Api.ConnectAsync(id, owner));
        for (var i = 0; i < RunnerIsolationEnvironment.MaxDownloadFiles; i++)
        {
            await env.Api.NavigateAsync(id, env.Site.Url("/download-bytes/10000"), owner);
            await socket.WaitForEventAsync(e => Type(e) == "download" && e.GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(15), "a completed download");
        }
        Assert.Equal(RunnerIsolationEnvironment.MaxDownloadFiles, Directory.EnumerateFiles(downloads).Count());

        await env.Api.NavigateAsync(id, env.Site.Url("/download-bytes/10000"), owner);
        var refused = await socket.WaitForEventAsync(e => Type(e) == "error" && e.GetProperty("code").GetString() == "download_quota",
            TimeSpan.FromSeconds(15), "the download refused over the count");
        output.WriteLine($"over count: {refused.GetProperty("message").GetString()}");
        await Eventually(() => Directory.EnumerateFiles(downloads).Count() == RunnerIsolationEnvironment.MaxDownloadFiles, "only the allowed downloads on disk");

        var (big, bigOwner) = await env.Api.CreateReadyAsync(env.Site.TitledPage("/dl-quota-big", "dl-quota-big"), env.ApiKey);
        var bigDownloads = Path.Combine(RunnerLeftovers.RunnerDirOf(env.Orchestrator.WorkRoot, big), "downloads");
        using var bigSocket = new SessionSocket(await env.Api.ConnectAsync(big, bigOwner));
        await env.Api.NavigateAsync(big, env.Site.Url($"/download-bytes/{RunnerIsolationEnvironment.MaxDownloadBytes + 1}"), bigOwner);
        refused = await bigSocket.WaitForEventAsync(e => Type(e) == "error" && e.GetProperty("code").GetString() == "download_quota",
            TimeSpan.FromSeconds(15), "the download refused over the size");
        output.WriteLine($"over size: {refused.GetProperty("message").GetString()}");
        await Eventually(() => !Directory.Exists(bigDownloads) || !Directory.EnumerateFiles(bigDownloads).Any(), "the oversized download deleted");
    }

    private static string? Type(JsonElement e) => e.GetProperty("type").GetString();

    private async Task<string> OpenChooserAsync(SessionSocket socket)
    {
        await socket.SendJsonAsync(new { type = "mousedown", x = 200, y = 200, button = "left", clickCount = 1 });
        await socket.SendJsonAsync(new { type = "mouseup", x = 200, y = 200, button = "left", clickCount = 1 });
        var chooser = await socket.WaitForEventAsync(e => Type(e) == "file-chooser", TimeSpan.FromSeconds(10), "the file chooser");
        return chooser.GetProperty("id").GetString()!;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> UploadAsync(string id, string chooser, string token, params (string Name, string Content)[] files)
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
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(100);
        }
        Assert.True(condition(), what);
    }
}
