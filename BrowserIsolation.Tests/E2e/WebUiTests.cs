using BrowserIsolation.Tests.Fixtures;
using Microsoft.Playwright;

namespace BrowserIsolation.Tests.E2e;

/// <summary>A user's path through the Web UI, in a real browser, against a real orchestrator and runner.</summary>
[Trait("Category", "E2e")]
public sealed class WebUiTests
{
    private const string CenterPixel = """
        () => { const c = document.querySelector('[data-testid=screen-canvas]');
                if (!c || !c.width) return null;
                const d = c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data;
                return [d[0], d[1], d[2]]; }
        """;

    [Fact]
    public async Task StartSessionSeeItLiveClickItAndEndIt()
    {
        await using var site = await TestSite.StartAsync();
        await using var orchestrator = await OrchestratorProcess.StartAsync();
        await using var browser = await PlaywrightBrowser.LaunchAsync();
        var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });

        await page.GotoAsync(new Uri(orchestrator.BaseUri, "/?transport=jpeg").AbsoluteUri);
        await page.GetByTestId("url-input").FillAsync(site.Url(TestSite.Pages.ClickToBlue));
        await page.GetByTestId("start-button").ClickAsync();

        await Assertions.Expect(page.GetByTestId("status")).ToHaveAttributeAsync("data-status", "ready", new() { Timeout = 45_000 });
        await WaitForCanvasColorAsync(page, 255, 0, 0, "the remote red page on the canvas");
        await Assertions.Expect(page.GetByTestId("transport")).ToHaveTextAsync("WebSocket JPEG");

        // Click the middle of the picture: the remote page turns blue, and the canvas shows it.
        await page.GetByTestId("screen-canvas").ClickAsync();
        await WaitForCanvasColorAsync(page, 0, 0, 255, "blue after the click");
        var fps = await page.GetByTestId("fps").GetAttributeAsync("data-fps");
        Assert.NotNull(fps);

        var sessionId = (await orchestrator.Http.GetStringAsync("/api/sessions")).Split("\"sessionId\":\"")[1].Split('"')[0];
        await page.GetByTestId("end-button").ClickAsync();
        await orchestrator.WaitForStatusAsync(sessionId, "terminated", TimeSpan.FromSeconds(10));
        await Integration.Platform.SessionLifecycleTests.Eventually(() => RunnerLeftovers.RunnerDirs(orchestrator.WorkRoot).Count == 0,
            TimeSpan.FromSeconds(10), "the runner's work dir removed after End session");
    }

    /// <summary>Polls the JPEG canvas's center pixel until it shows the colour (shared by the Web UI tests).</summary>
    internal static async Task WaitForCanvasColorAsync(IPage page, int r, int g, int b, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        int[]? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await page.EvaluateAsync<int[]?>(CenterPixel);
            if (last is { Length: 3 } && Math.Abs(last[0] - r) < 40 && Math.Abs(last[1] - g) < 40 && Math.Abs(last[2] - b) < 40)
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"canvas never showed {what}; last center pixel: {(last is null ? "none" : string.Join(",", last))}");
    }
}
