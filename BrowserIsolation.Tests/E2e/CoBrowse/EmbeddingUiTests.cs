using BrowserIsolation.Tests.Fixtures;
using Microsoft.Playwright;

namespace BrowserIsolation.Tests.E2e.CoBrowse;

/// <summary>The chrome-less viewer in an iframe of another site, as a meeting plugin shows it (docs/embedding.md).</summary>
[Trait("Category", "E2e")]
public sealed class EmbeddingUiTests(CoBrowseUiEnvironment env) : IClassFixture<CoBrowseUiEnvironment>
{
    private static string HostPage(string joinUrl) => $$"""
        <!doctype html><title>meeting</title>
        <body style='margin:0'>
        <div id=b style='width:900px;height:560px'></div>
        <script>
          window.__states = [];
          const frame = document.createElement('iframe');
          frame.src = {{System.Text.Json.JsonSerializer.Serialize(joinUrl + "&embed=1")}};
          frame.allow = 'clipboard-read; clipboard-write; fullscreen; keyboard-lock';
          frame.style.cssText = 'border:0;width:100%;height:100%';
          document.getElementById('b').appendChild(frame);
          addEventListener('message', e => { if (e.source === frame.contentWindow && e.data && e.data.source === 'browserisolation') window.__states.push(e.data); });
        </script></body>
        """;

    [Fact]
    public async Task AJoinUrlShowsAChromelessViewerInAnAllowedSitesIframeAndNowhereElse()
    {
        var (id, ownerToken) = await env.SessionAsync(env.Site.TitledPage("/embed-green", "green", "rgb(0,200,0)"));
        var joinUrl = await env.JoinUrlAsync(id, ownerToken, "controller", "Ann");

        // The server says who may frame it.
        using (var response = await env.Orchestrator.Http.GetAsync("/"))
        {
            var csp = string.Join(";", response.Headers.TryGetValues("Content-Security-Policy", out var v) ? v : []);
            Assert.Equal($"frame-ancestors 'self' {env.Site.BaseUri.GetLeftPart(UriPartial.Authority)}", csp);
        }

        var context = await env.Browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1000, Height = 700 } });
        try
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(env.Site.Page("/meeting", HostPage(joinUrl)));
            var viewer = page.FrameLocator("iframe");
            await Assertions.Expect(viewer.GetByTestId("embed-viewer")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            // No chrome: no tabs, no address bar, no people panel, no toolbar.
            await Assertions.Expect(viewer.GetByTestId("tab-strip")).ToHaveCountAsync(0);
            await Assertions.Expect(viewer.GetByTestId("address-input")).ToHaveCountAsync(0);
            await Assertions.Expect(viewer.GetByTestId("participants-panel")).ToHaveCountAsync(0);
            var frame = page.Frames.First(f => f.Url.Contains("embed=1"));
            await WaitForGreenAsync(frame);

            // The control pill works, and the host page hears about it.
            await viewer.GetByTestId("request-control-button").ClickAsync();
            await Assertions.Expect(viewer.GetByTestId("control-state")).ToContainTextAsync("You have control");
            await Eventually(async () => await page.EvaluateAsync<bool>("() => window.__states.some(s => s.control.mine && s.status === 'ready')"),
                "the host page told that this participant has control");
        }
        finally
        {
            await context.CloseAsync();
        }

        // Another site may not frame it: Chromium refuses to render the viewer there.
        await using var other = await ContentSite.StartAsync("127.0.0.3");
        var otherContext = await env.Browser.Browser.NewContextAsync();
        try
        {
            var page = await otherContext.NewPageAsync();
            await page.GotoAsync(other.Page("/meeting", HostPage(joinUrl)));
            await Task.Delay(3000);
            var framed = page.Frames.FirstOrDefault(f => f.Url.Contains("embed=1"));
            var rendered = framed is not null && await framed.Locator("[data-testid=embed-viewer]").CountAsync() > 0;
            Assert.False(rendered, "the viewer rendered inside a site that is not in Embedding:FrameAncestors");
        }
        finally
        {
            await otherContext.CloseAsync();
        }
    }

    private static async Task WaitForGreenAsync(IFrame frame)
    {
        await Eventually(async () => await frame.EvaluateAsync<bool>("""
            () => { const c = document.querySelector('[data-testid=screen-canvas]'); if (!c || !c.width) return false;
              const d = c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data; return d[1] > 150 && d[0] < 60 && d[2] < 60; }
            """), "the green page in the embedded viewer");
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"never happened: {what}");
    }
}
