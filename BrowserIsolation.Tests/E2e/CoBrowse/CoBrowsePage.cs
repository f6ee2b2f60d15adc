using Microsoft.Playwright;

namespace BrowserIsolation.Tests.E2e.CoBrowse;

/// <summary>One participant's Web UI in its own browser context, with helpers that aim at remote viewport pixels.</summary>
public sealed class CoBrowsePage : IAsyncDisposable
{
    // Where a remote viewport point is on screen: the canvas is letterboxed (object-fit: contain).
    private const string ToClient = """
        ([x, y]) => { const c = document.querySelector('[data-testid=screen-canvas]'); const r = c.getBoundingClientRect();
          const s = Math.min(r.width / c.width, r.height / c.height); const w = c.width * s, h = c.height * s;
          return [r.left + (r.width - w) / 2 + (x + 0.5) * s, r.top + (r.height - h) / 2 + (y + 0.5) * s]; }
        """;

    private const string PixelAt = """
        ([x, y]) => { const c = document.querySelector('[data-testid=screen-canvas]');
          if (!c || !c.width) return null; const d = c.getContext('2d').getImageData(x, y, 1, 1).data; return [d[0], d[1], d[2]]; }
        """;

    private CoBrowsePage(IBrowserContext context, IPage page, string name)
    {
        Context = context;
        Page = page;
        Name = name;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public string Name { get; }

    public string ParticipantId { get; private set; } = "";

    public static async Task<CoBrowsePage> OpenAsync(IBrowser browser, string joinUrl, string name, bool clipboard = false)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        if (clipboard)
        {
            await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = new Uri(joinUrl).GetLeftPart(UriPartial.Authority) });
        }
        var page = await context.NewPageAsync();
        var opened = new CoBrowsePage(context, page, name);
        await page.GotoAsync(joinUrl);
        await Assertions.Expect(page.GetByTestId("status")).ToHaveAttributeAsync("data-status", "ready", new() { Timeout = 30_000 });
        // The join link's token is out of the address bar (history, bookmarks, Referer) once the viewer has it.
        Assert.True(!page.Url.Contains("token=") && page.Url.Contains("session="), $"the address still shows the token: {page.Url}");
        var self = page.Locator("[data-testid=participant][data-self]");
        await Assertions.Expect(self).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        opened.ParticipantId = (await self.GetAttributeAsync("data-participant-id"))!;
        return opened;
    }

    public ILocator Row(string participantId) => Page.Locator($"[data-testid=participant][data-participant-id='{participantId}']");

    public ILocator Cursor(string participantId) => Page.Locator($"[data-testid=remote-cursor][data-participant-id='{participantId}']");

    public ILocator ControlState => Page.GetByTestId("control-state");

    public async Task<(float X, float Y)> ClientPointAsync(int x, int y)
    {
        var point = await Page.EvaluateAsync<float[]>(ToClient, new[] { x, y });
        return (point[0], point[1]);
    }

    public async Task MoveRemoteAsync(int x, int y)
    {
        var (cx, cy) = await ClientPointAsync(x, y);
        await Page.Mouse.MoveAsync(cx, cy, new() { Steps = 3 });
    }

    public async Task ClickRemoteAsync(int x, int y)
    {
        var (cx, cy) = await ClientPointAsync(x, y);
        await Page.Mouse.ClickAsync(cx, cy);
    }

    /// <summary>Waits until the picture shows this colour at a remote viewport point.</summary>
    public async Task WaitForColorAsync(int x, int y, int r, int g, int b, string what, int timeoutMs = 15_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        int[]? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await Page.EvaluateAsync<int[]?>(PixelAt, new[] { x, y });
            if (last is { Length: 3 } && Math.Abs(last[0] - r) < 40 && Math.Abs(last[1] - g) < 40 && Math.Abs(last[2] - b) < 40)
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"{Name}: the picture never showed {what} at ({x},{y}); last pixel {(last is null ? "none" : string.Join(",", last))}");
    }

    public async Task<int[]?> PixelAsync(int x, int y) => await Page.EvaluateAsync<int[]?>(PixelAt, new[] { x, y });

    public ILocator ActiveTab => Page.Locator("[data-testid=tab][data-active=true]");

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
