using Microsoft.Playwright;

namespace BrowserIsolation.Tests.Fixtures;

/// <summary>Microsoft.Playwright driving Debian's Chromium (nothing downloaded). Dispose closes it and its processes.</summary>
public sealed class PlaywrightBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private PlaywrightBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<PlaywrightBrowser> LaunchAsync(params string[] extraArgs)
    {
        const string chromium = "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"{chromium} is missing: run ./test.sh (it installs Debian's chromium)");
        }
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--force-color-profile=srgb", .. extraArgs],
        });
        return new PlaywrightBrowser(playwright, browser);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
