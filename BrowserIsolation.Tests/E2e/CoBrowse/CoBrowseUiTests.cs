using System.Diagnostics;
using System.Net;
using Microsoft.Playwright;

namespace BrowserIsolation.Tests.E2e.CoBrowse;

/// <summary>
/// Co-browsing as people use it: an owner, a controller and a viewer in three browser contexts of a real Chromium, each
/// with its own join link, against a real orchestrator and runner.
/// </summary>
[Trait("Category", "E2e")]
public sealed class CoBrowseUiTests(CoBrowseUiEnvironment env) : IClassFixture<CoBrowseUiEnvironment>
{
    private const string PressPage = """
        <!doctype html><title>presses:0</title>
        <body style='margin:0;height:100vh;background:rgb(255,0,0)'
              onmousedown="document.body.style.background='rgb(0,0,255)';document.title='presses:'+(++window.n||(window.n=1))"></body>
        """;

    private static Task ExpectAsync(ILocator locator, string attribute, string value, int timeoutMs = 15_000) =>
        Assertions.Expect(locator).ToHaveAttributeAsync(attribute, value, new() { Timeout = timeoutMs });

    [Fact]
    public async Task AJoinedTabKeepsItsTokenOutOfTheAddressAcrossAReload()
    {
        var (id, ownerToken) = await env.SessionAsync(env.Site.Page("/cb-reload", PressPage));
        await using var val = await CoBrowsePage.OpenAsync(env.Browser.Browser, await env.JoinUrlAsync(id, ownerToken, "viewer", "Val"), "viewer");
        await val.Page.ReloadAsync();
        await ExpectAsync(val.Page.GetByTestId("status"), "data-status", "ready", 30_000);
        Assert.DoesNotContain("token=", val.Page.Url);
        Assert.Equal("no-referrer", await val.Page.EvaluateAsync<string>("() => document.querySelector('meta[name=referrer]').content"));
    }

    [Fact]
    public async Task OwnerControllerAndViewerSeeEachOtherAndOnlyTheHolderDrives()
    {
        var (id, ownerToken) = await env.SessionAsync(env.Site.Page("/cb-press", PressPage));
        await using var owner = await CoBrowsePage.OpenAsync(env.Browser.Browser, await env.JoinUrlAsync(id, ownerToken, "owner", "Olga"), "owner");
        await using var ann = await CoBrowsePage.OpenAsync(env.Browser.Browser, await env.JoinUrlAsync(id, ownerToken, "controller", "Ann"), "controller");
        await using var val = await CoBrowsePage.OpenAsync(env.Browser.Browser, await env.JoinUrlAsync(id, ownerToken, "viewer", "Val"), "viewer");
        var everyone = new[] { owner, ann, val };

        // Everyone sees everyone, with names and roles.
        foreach (var page in everyone)
        {
            await Assertions.Expect(page.Page.GetByTestId("participant")).ToHaveCountAsync(3, new() { Timeout = 15_000 });
            await ExpectAsync(page.Row(ann.ParticipantId), "data-role", "controller");
            await ExpectAsync(page.Row(val.ParticipantId), "data-role", "viewer");
            await Assertions.Expect(page.Row(owner.ParticipantId).GetByTestId("participant-name")).ToContainTextAsync("Olga");
            await page.WaitForColorAsync(500, 300, 255, 0, 0, "the red page");
        }

        // Everyone sees the others' cursors move, where they point (the picture is letterboxed differently nowhere
        // here, but mapped through the same viewport coordinates).
        foreach (var (mover, x, y) in new[] { (owner, 100, 150), (ann, 300, 200), (val, 700, 400) })
        {
            await mover.MoveRemoteAsync(x, y);
            await mover.MoveRemoteAsync(x + 10, y + 10);
            foreach (var watcher in everyone.Where(p => p != mover))
            {
                var cursor = watcher.Cursor(mover.ParticipantId);
                await ExpectAsync(cursor, "data-x", (x + 10).ToString());
                await ExpectAsync(cursor, "data-y", (y + 10).ToString());
                await Assertions.Expect(cursor).ToContainTextAsync(mover == owner ? "Olga" : mover == ann ? "Ann" : "Val");
            }
            await Assertions.Expect(mover.Cursor(mover.ParticipantId)).ToHaveCountAsync(0);
        }

        // The owner takes control; the controller's and the viewer's clicks do not reach the page.
        await owner.Page.GetByTestId("take-control-button").ClickAsync();
        foreach (var page in everyone)
        {
            await ExpectAsync(page.ControlState, "data-holder", owner.ParticipantId);
        }
        await ann.ClickRemoteAsync(500, 300);
        await Assertions.Expect(ann.Page.GetByTestId("notice").Filter(new() { HasText = "has control. Ask" })).ToBeVisibleAsync();
        await val.ClickRemoteAsync(500, 300);
        await Assertions.Expect(val.Page.GetByTestId("notice").Filter(new() { HasText = "watching" })).ToBeVisibleAsync();
        await Task.Delay(500);
        await owner.WaitForColorAsync(500, 300, 255, 0, 0, "still red: nobody without control changed the page");
        Assert.Equal(0, await PressesAsync(id));

        // Handoff: Ann asks, the owner sees the request and gives control; Ann's click changes the page for everyone,
        // and everyone sees the ripple.
        await val.Page.EvaluateAsync("""
            () => { window.__ripples = 0; new MutationObserver(m => m.forEach(r => r.addedNodes.forEach(n =>
              { if (n.dataset && n.dataset.testid === 'click-ripple') window.__ripples++; }))).observe(document.body, { childList: true, subtree: true }); }
            """);
        await ann.Page.GetByTestId("request-control-button").ClickAsync();
        await ExpectAsync(owner.Row(ann.ParticipantId), "data-requested", "true");
        await owner.Row(ann.ParticipantId).GetByTestId("grant-button").ClickAsync();
        await ExpectAsync(ann.ControlState, "data-holder", ann.ParticipantId);
        await ExpectAsync(val.Row(ann.ParticipantId), "data-control", "true");
        await ann.ClickRemoteAsync(500, 300);
        foreach (var page in everyone)
        {
            await page.WaitForColorAsync(500, 300, 0, 0, 255, "blue after the controller's click");
        }
        await env.Api.WaitForTitleAsync(id, CoBrowseUiEnvironment.ApiKey, "presses:1");
        await EventuallyAsync(async () => await val.Page.EvaluateAsync<int>("() => window.__ripples") >= 1, "the viewer saw the click ripple");

        // The owner takes control back at any time: Ann's next click is refused.
        await owner.Page.GetByTestId("take-control-button").ClickAsync();
        await ExpectAsync(ann.ControlState, "data-holder", owner.ParticipantId);
        await Assertions.Expect(ann.Page.GetByTestId("request-control-button")).ToBeVisibleAsync();
        await ann.ClickRemoteAsync(400, 200);
        await Task.Delay(1000); // the title is read twice a second
        Assert.Equal(1, await PressesAsync(id));

        // Releasing frees control for the next one who acts.
        await owner.Page.GetByTestId("release-control-button").ClickAsync();
        await ExpectAsync(val.ControlState, "data-holder", "");
        await ann.ClickRemoteAsync(400, 200);
        await env.Api.WaitForTitleAsync(id, CoBrowseUiEnvironment.ApiKey, "presses:2");
        await ExpectAsync(owner.ControlState, "data-holder", ann.ParticipantId);
    }

    [Fact]
    public async Task ARemovedParticipantIsDisconnectedAndALateJoinerHasAPictureWithinASecond()
    {
        var (id, ownerToken) = await env.SessionAsync(env.Site.Page("/cb-remove", PressPage));
        await using var owner = await CoBrowsePage.OpenAsync(env.Browser.Browser, await env.JoinUrlAsync(id, ownerToken, "owner", "Olga"), "owner");
        var valUrl = await env.JoinUrlAsync(id, ownerToken, "viewer", "Val");
        await using var val = await CoBrowsePage.OpenAsync(env.Browser.Browser, valUrl, "viewer");
        await Assertions.Expect(owner.Page.GetByTestId("participant")).ToHaveCountAsync(2, new() { Timeout = 15_000 });

        // The owner removes Val: Val's viewer ends, everyone else sees Val go, and Val's link is dead.
        await owner.Row(val.ParticipantId).GetByTestId("remove-button").ClickAsync();
        await owner.Row(val.ParticipantId).GetByTestId("confirm-remove-button").ClickAsync();
        await ExpectAsync(val.Page.GetByTestId("ended-reason"), "data-removed", "true");
        await Assertions.Expect(owner.Page.GetByTestId("participant")).ToHaveCountAsync(1);
        var valToken = Uri.UnescapeDataString(valUrl.Split("token=")[1].Split('&')[0]);
        Assert.Equal(HttpStatusCode.Unauthorized, await env.Api.RefusedConnectAsync(id, valToken));
        await val.Page.ReloadAsync();
        await Assertions.Expect(val.Page.GetByTestId("ended-reason")).ToBeVisibleAsync(new() { Timeout = 15_000 });

        // A late joiner: the page is static (no new frames), yet the picture is there within a second of the page's start.
        var lateUrl = await env.JoinUrlAsync(id, ownerToken, "viewer", "Late");
        var context = await env.Browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1200, Height = 800 } });
        try
        {
            var page = await context.NewPageAsync();
            await page.AddInitScriptAsync("""
                (() => { const look = () => { const c = document.querySelector('[data-testid=screen-canvas]');
                  if (c && c.width) { const d = c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data;
                    if (d[0] > 200 && d[2] < 60) { window.__firstPictureMs = performance.now(); return; } }
                  requestAnimationFrame(look); }; requestAnimationFrame(look); })();
                """);
            var clock = Stopwatch.StartNew();
            await page.GotoAsync(lateUrl);
            await EventuallyAsync(async () => await page.EvaluateAsync<bool>("() => window.__firstPictureMs !== undefined"), "the late joiner's picture");
            var firstPictureMs = await page.EvaluateAsync<double>("() => window.__firstPictureMs");
            Console.WriteLine($"late joiner: picture {firstPictureMs:0} ms after navigation start ({clock.ElapsedMilliseconds} ms in the test)");
            Assert.True(firstPictureMs < 1000, $"the late joiner's first picture came {firstPictureMs:0} ms after its page started");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact]
    public async Task TabsOpenSwitchAndCloseThroughTheUiAndThePictureFollowsTheActiveTab()
    {
        var green = env.Site.TitledPage("/cb-green", "green", "rgb(0,200,0)");
        var red = env.Site.TitledPage("/cb-red", "red", "rgb(255,0,0)");
        var blue = env.Site.TitledPage("/cb-blue", "blue", "rgb(0,0,255)");
        var (id, ownerToken) = await env.SessionAsync(green);
        await using var owner = await CoBrowsePage.OpenAsync(env.Browser.Browser, await env.JoinUrlAsync(id, ownerToken, "owner", "Olga"), "owner");
        await owner.WaitForColorAsync(500, 300, 0, 200, 0, "green");
        await Assertions.Expect(owner.ActiveTab).ToContainTextAsync("green");
        await Assertions.Expect(owner.Page.GetByTestId("address-input")).ToHaveValueAsync(green);

        // The address bar: type, Enter; back and forward.
        await owner.Page.GetByTestId("address-input").FillAsync(blue);
        await owner.Page.GetByTestId("address-input").PressAsync("Enter");
        await owner.WaitForColorAsync(500, 300, 0, 0, 255, "blue from the address bar");
        await Assertions.Expect(owner.ActiveTab).ToContainTextAsync("blue");
        await owner.Page.GetByTestId("back-button").ClickAsync();
        await owner.WaitForColorAsync(500, 300, 0, 200, 0, "green again after back");
        await owner.Page.GetByTestId("forward-button").ClickAsync();
        await owner.WaitForColorAsync(500, 300, 0, 0, 255, "blue again after forward");
        await owner.Page.GetByTestId("reload-button").ClickAsync();
        await owner.WaitForColorAsync(500, 300, 0, 0, 255, "blue after reload");

        // A new tab becomes active and shows the new-tab page; it can navigate on its own.
        await owner.Page.GetByTestId("new-tab-button").ClickAsync();
        await Assertions.Expect(owner.Page.GetByTestId("tab")).ToHaveCountAsync(2);
        await owner.WaitForColorAsync(500, 300, 255, 255, 255, "the blank new tab");
        await owner.Page.GetByTestId("address-input").FillAsync(red);
        await owner.Page.GetByTestId("address-input").PressAsync("Enter");
        await owner.WaitForColorAsync(500, 300, 255, 0, 0, "red in the second tab");
        await Assertions.Expect(owner.ActiveTab).ToContainTextAsync("red");

        // Switching follows: the first tab's picture and address come back.
        await owner.Page.GetByTestId("tab").First.GetByRole(AriaRole.Tab).ClickAsync();
        await owner.WaitForColorAsync(500, 300, 0, 0, 255, "the first tab (blue) after switching");
        await Assertions.Expect(owner.Page.GetByTestId("address-input")).ToHaveValueAsync(blue);
        await Assertions.Expect(owner.ActiveTab).ToContainTextAsync("blue");
        await owner.Page.GetByTestId("tab").Nth(1).GetByRole(AriaRole.Tab).ClickAsync();
        await owner.WaitForColorAsync(500, 300, 255, 0, 0, "the second tab (red) after switching back");
        await Assertions.Expect(owner.ActiveTab).ToContainTextAsync("red");

        // Closing the active tab leaves the other one, and the picture follows it.
        await owner.Page.GetByTestId("tab").Filter(new() { HasText = "red" }).GetByTestId("tab-close").ClickAsync();
        await Assertions.Expect(owner.Page.GetByTestId("tab")).ToHaveCountAsync(1);
        await owner.WaitForColorAsync(500, 300, 0, 0, 255, "the remaining tab (blue)");
        var tabs = await env.Api.TabsAsync(id, CoBrowseUiEnvironment.ApiKey);
        Assert.Equal(1, tabs.GetArrayLength());
    }

    [Fact]
    public async Task TheViewportFollowsTheOwnersWindowAndOthersClickInTheRightPlaceLetterboxed()
    {
        var where = env.Site.Page("/cb-where", """
            <!doctype html><title>where</title>
            <body style='margin:0;height:100vh;background:rgb(255,0,0)'
                  onmousedown="document.title='at:'+event.clientX+','+event.clientY+' of '+innerWidth+'x'+innerHeight"></body>
            """);
        var (id, ownerToken) = await env.SessionAsync(where, 1000, 600);
        await using var owner = await CoBrowsePage.OpenAsync(env.Browser.Browser, await env.JoinUrlAsync(id, ownerToken, "owner", "Olga"), "owner");
        await using var ann = await CoBrowsePage.OpenAsync(env.Browser.Browser, await env.JoinUrlAsync(id, ownerToken, "controller", "Ann"), "controller");
        await ann.Page.SetViewportSizeAsync(900, 800); // a different shape: letterboxed top and bottom

        await owner.Page.Locator("details.owner-settings summary").ClickAsync();
        await owner.Page.GetByTestId("viewport-mode").SelectOptionAsync("follow-owner");
        var stage = await owner.Page.GetByTestId("viewer").BoundingBoxAsync();
        var expected = ((int)stage!.Width & ~1, (int)stage.Height & ~1);
        await EventuallyAsync(async () => await ann.Page.EvaluateAsync<int[]>(
            "() => { const c = document.querySelector('[data-testid=screen-canvas]'); return [c.width, c.height]; }") is [var w, var h] &&
            (w, h) == expected, $"the remote viewport at the owner's stage size {expected}");

        // Ann (with control) clicks a remote point through her letterboxed picture; the page sees exactly that point.
        await ann.Page.GetByTestId("request-control-button").ClickAsync();
        await ExpectAsync(ann.ControlState, "data-holder", ann.ParticipantId);
        var (x, y) = (60, expected.Item2 - 30); // left: on a narrow window the people panel covers the right side
        await ann.ClickRemoteAsync(x, y);
        await env.Api.WaitForTitleAsync(id, CoBrowseUiEnvironment.ApiKey, $"at:{x},{y} of {expected.Item1}x{expected.Item2}");
        // And the owner sees Ann's cursor there.
        await ExpectAsync(owner.Cursor(ann.ParticipantId), "data-x", x.ToString());
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.ElapsedMilliseconds < timeoutMs)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"never happened: {what}");
    }

    private async Task<int> PressesAsync(string id) =>
        int.Parse(Integration.Security.SecurityApi.Active(await env.Api.TabsAsync(id, CoBrowseUiEnvironment.ApiKey)).GetProperty("title").GetString()!.Split(':')[1]);
}
