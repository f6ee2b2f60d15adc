using System.Text.Json;
using Microsoft.Playwright;

namespace BrowserIsolation.Benchmarks;

/// <summary>
/// Real screencast input: JPEGs that Chromium's <c>Page.startScreencast</c> (quality 70, 1280x720) sends for an
/// animated page (smooth scrolling text and images plus a spinner). Captured once per machine into a cache
/// directory, so every benchmark process reads the same frames.
/// </summary>
public static class ScreencastFrames
{
    public const int Width = 1280;
    public const int Height = 720;
    public const string DirectoryVariable = "BI_BENCH_FRAMES";

    private const string AnimatedPage = """
        <html><head><style>
        body { margin: 0; font: 16px/1.5 sans-serif; color: #202124; }
        header { position: sticky; top: 0; height: 56px; background: #1a73e8; color: #fff; font-size: 20px; padding: 14px 24px; box-sizing: border-box; }
        article { display: flex; gap: 20px; padding: 16px 24px; border-bottom: 1px solid #ddd; }
        .thumb { flex: 0 0 200px; height: 120px; border-radius: 8px; }
        #spin { position: fixed; right: 40px; bottom: 40px; width: 120px; height: 120px; border-radius: 50%;
                background: conic-gradient(#ea4335, #fbbc05, #34a853, #4285f4, #ea4335); animation: r 1s linear infinite; }
        @keyframes r { to { transform: rotate(360deg); } }
        </style></head><body><header>BrowserIsolation benchmark feed</header><div id="feed"></div><div id="spin"></div>
        <script>
        const feed = document.getElementById('feed');
        for (let i = 0; i < 60; i++) {
          const hue = (i * 47) % 360;
          feed.insertAdjacentHTML('beforeend', `<article><div class="thumb" style="background:linear-gradient(135deg,hsl(${hue},70%,60%),hsl(${(hue + 90) % 360},70%,40%))"></div>
            <div><h3>Story ${i}: remote browser isolation streams pixels, not code</h3>
            <p>Lorem ipsum dolor sit amet, consectetur adipiscing elit. Sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.
            Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p></div></article>`);
        }
        let y = 0;
        (function step() { y = (y + 4) % 6000; window.scrollTo(0, y); requestAnimationFrame(step); })();
        </script></body></html>
        """;

    /// <summary>The cached frames, capturing them first when the cache is empty.</summary>
    public static async Task<string> EnsureCapturedAsync(int count)
    {
        var directory = Environment.GetEnvironmentVariable(DirectoryVariable)
            ?? Path.Combine(Path.GetTempPath(), "bi-bench-screencast-1280x720");
        if (Directory.Exists(directory) && Directory.GetFiles(directory, "*.jpg").Length >= count)
        {
            return directory;
        }
        Directory.CreateDirectory(directory);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = Width, Height = Height } });
        await page.SetContentAsync(AnimatedPage);
        var session = await page.Context.NewCDPSessionAsync(page);

        var frames = new List<byte[]>();
        var done = new TaskCompletionSource();
        session.Event("Page.screencastFrame").OnEvent += (_, e) =>
        {
            if (e is not { } frame)
            {
                return;
            }
            var ack = new Dictionary<string, object> { ["sessionId"] = frame.GetProperty("sessionId").GetInt32() };
            _ = session.SendAsync("Page.screencastFrameAck", ack);
            lock (frames)
            {
                if (frames.Count < count)
                {
                    frames.Add(frame.GetProperty("data").GetBytesFromBase64());
                }
                if (frames.Count == count)
                {
                    done.TrySetResult();
                }
            }
        };
        await session.SendAsync("Page.startScreencast", new Dictionary<string, object>
        {
            ["format"] = "jpeg",
            ["quality"] = 70,
            ["maxWidth"] = Width,
            ["maxHeight"] = Height,
        });
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await session.SendAsync("Page.stopScreencast");

        for (var i = 0; i < frames.Count; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, $"frame-{i:D4}.jpg"), frames[i]);
        }
        return directory;
    }

    /// <summary>The cached frames in capture order (run <see cref="EnsureCapturedAsync"/> first).</summary>
    public static byte[][] Load()
    {
        var directory = Environment.GetEnvironmentVariable(DirectoryVariable)
            ?? throw new InvalidOperationException($"{DirectoryVariable} is not set: start the benchmarks through Program");
        var files = Directory.GetFiles(directory, "frame-*.jpg").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new InvalidOperationException($"no frames in {directory}");
        }
        return [.. files.Select(File.ReadAllBytes)];
    }

    /// <summary>Indexes 0..n-1, n-2..1 repeated: consecutive frames stay consecutive, with no jump back to the start.</summary>
    public static int PingPong(long step, int count)
    {
        if (count == 1)
        {
            return 0;
        }
        var period = (2 * count) - 2;
        var i = (int)(step % period);
        return i < count ? i : period - i;
    }

    internal static string Describe(byte[][] frames) =>
        JsonSerializer.Serialize(new { frames = frames.Length, medianKiB = frames.Select(f => f.Length).Order().ElementAt(frames.Length / 2) / 1024 });
}
