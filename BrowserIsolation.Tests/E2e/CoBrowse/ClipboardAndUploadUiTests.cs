using System.Net;
using Microsoft.Playwright;

namespace BrowserIsolation.Tests.E2e.CoBrowse;

/// <summary>Clipboard both ways and file uploads through the Web UI, and the session policy that turns them off.</summary>
[Trait("Category", "E2e")]
public sealed class ClipboardAndUploadUiTests(CoBrowseUiEnvironment env) : IClassFixture<CoBrowseUiEnvironment>
{
    // A text area at the top left, a file input below it; the title reports what reached the page.
    private const string FormPage = """
        <!doctype html><title>form</title>
        <body style='margin:0;background:#fff'>
        <textarea id=t style='position:absolute;left:20px;top:20px;width:400px;height:100px;font-size:20px'
          oninput="document.title='value:'+this.value"></textarea>
        <input type=file id=f style='position:absolute;left:20px;top:300px;width:300px;height:50px'
          onchange="document.title='file:'+this.files[0].name+':'+this.files[0].size">
        </body>
        """;

    private async Task<(string Id, CoBrowsePage Owner)> OpenFormAsync(string path)
    {
        var (id, ownerToken) = await env.SessionAsync(env.Site.Page(path, FormPage));
        var owner = await CoBrowsePage.OpenAsync(env.Browser.Browser, await env.JoinUrlAsync(id, ownerToken, "owner", "Olga"), "owner", clipboard: true);
        await owner.WaitForColorAsync(500, 500, 255, 255, 255, "the white form page");
        return (id, owner);
    }

    private Task TitleAsync(string id, string title) => env.Api.WaitForTitleAsync(id, CoBrowseUiEnvironment.ApiKey, title);

    private static ILocator Notice(CoBrowsePage page, string text) =>
        page.Page.GetByTestId("notice").Filter(new() { HasText = text });

    private static Task<string> LocalClipboardAsync(CoBrowsePage page) => page.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()");

    [Fact]
    public async Task PasteAndCopyCrossBetweenTheLocalClipboardAndThePageAndAFileUploadReachesIt()
    {
        var (id, owner) = await OpenFormAsync("/cb-form");
        await using var _ = owner;

        // Paste: the local clipboard into the focused text area (Ctrl+V in the view, and the paste button).
        await owner.Page.EvaluateAsync("() => navigator.clipboard.writeText('hello from here')");
        await owner.ClickRemoteAsync(100, 50);
        await owner.Page.Keyboard.PressAsync("Control+V");
        await TitleAsync(id, "value:hello from here");
        await owner.Page.EvaluateAsync("() => navigator.clipboard.writeText(' and more')");
        await owner.Page.GetByTestId("paste-button").ClickAsync();
        await TitleAsync(id, "value:hello from here and more");

        // Copy: select all in the remote text area and copy; the text lands on the local clipboard.
        await owner.Page.EvaluateAsync("() => navigator.clipboard.writeText('old')");
        await owner.ClickRemoteAsync(100, 50);
        await owner.Page.Keyboard.PressAsync("Control+A");
        await owner.Page.Keyboard.PressAsync("Control+C");
        await Assertions.Expect(Notice(owner, "Copied from the remote page")).ToBeVisibleAsync();
        Assert.Equal("hello from here and more", await LocalClipboardAsync(owner));

        // Upload: a click on the remote file input opens our chooser; the picked file reaches the page.
        var file = Path.Combine(Path.GetTempPath(), $"bi-upload-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, "twelve bytes");
        try
        {
            await owner.ClickRemoteAsync(100, 325);
            await Assertions.Expect(owner.Page.GetByTestId("file-chooser-dialog")).ToBeVisibleAsync(new() { Timeout = 10_000 });
            await owner.Page.GetByTestId("file-chooser-input").SetInputFilesAsync(file);
            await TitleAsync(id, $"file:{Path.GetFileName(file)}:12");
            await Assertions.Expect(owner.Page.GetByTestId("file-chooser-dialog")).ToHaveCountAsync(0);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ThePolicyTurnsPasteCopyAndUploadsOff()
    {
        var (id, owner) = await OpenFormAsync("/cb-form-locked");
        await using var _ = owner;
        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/policy",
            new { allowPasteIn = false, allowCopyOut = false, allowUploads = false }, CoBrowseUiEnvironment.ApiKey);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await Assertions.Expect(owner.Page.GetByTestId("paste-button")).ToHaveCountAsync(0, new() { Timeout = 10_000 });

        // Paste is refused here (and by the server, see CoBrowse integration tests): nothing reaches the page.
        await owner.Page.EvaluateAsync("() => navigator.clipboard.writeText('must not arrive')");
        await owner.ClickRemoteAsync(100, 50);
        await owner.Page.Keyboard.PressAsync("Control+V");
        await Assertions.Expect(Notice(owner, "Pasting")).ToBeVisibleAsync();
        // Typing still works: the policy is about the clipboard.
        await owner.Page.Keyboard.TypeAsync("typed");
        await TitleAsync(id, "value:typed");

        // Copy out is refused by the runner: the local clipboard keeps what it had.
        await owner.Page.EvaluateAsync("() => navigator.clipboard.writeText('unchanged')");
        await owner.Page.Keyboard.PressAsync("Control+A");
        await owner.Page.Keyboard.PressAsync("Control+C");
        await Assertions.Expect(Notice(owner, "does not allow copying out")).ToBeVisibleAsync();
        Assert.Equal("unchanged", await LocalClipboardAsync(owner));

        // An upload is refused: no chooser, a notice, and the page gets no file.
        await owner.ClickRemoteAsync(100, 325);
        await Assertions.Expect(Notice(owner, "does not allow uploading")).ToBeVisibleAsync();
        await Assertions.Expect(owner.Page.GetByTestId("file-chooser-dialog")).ToHaveCountAsync(0);
        Assert.Equal("value:typed", Integration.Security.SecurityApi.Active(await env.Api.TabsAsync(id, CoBrowseUiEnvironment.ApiKey)).GetProperty("title").GetString());
    }
}
