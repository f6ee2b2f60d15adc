using System.Diagnostics;
using BrowserIsolation.Tests.Fixtures;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Reliability;

/// <summary>A renderer that dies (here: SIGKILL, as the OOM killer does) costs the tab a reload, not the session.</summary>
[Trait("Category", "Integration")]
public sealed class RendererCrashTests(ITestOutputHelper output) : PlatformTest
{
    [Fact]
    public async Task A_killed_renderer_is_replaced_and_the_tab_reloads_within_two_seconds()
    {
        var id = await Orchestrator.CreateReadySessionAsync(Site.Url(TestSite.Pages.ClickToBlue));
        using var socket = new SessionSocket(await Orchestrator.ConnectAsync(id));
        await socket.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 255, 0, 0), TimeSpan.FromSeconds(15), "the red page");
        // Page state that only the old renderer holds: blue after a click.
        await socket.SendJsonAsync(new { type = "mousedown", x = 300, y = 200, button = "left" });
        await socket.SendJsonAsync(new { type = "mouseup", x = 300, y = 200, button = "left" });
        await socket.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 0, 0, 255), TimeSpan.FromSeconds(10), "blue after the click");

        var dir = Assert.Single(RunnerLeftovers.RunnerDirs(Orchestrator.WorkRoot));
        var renderers = ChromiumRenderers(RunnerLeftovers.ChromiumPid(dir)!.Value);
        Assert.NotEmpty(renderers);
        var clock = Stopwatch.StartNew();
        foreach (var pid in renderers)
        {
            Process.Start("kill", ["-KILL", pid.ToString()])!.WaitForExit();
        }

        var crashed = await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "tab-crashed", TimeSpan.FromSeconds(2),
            "the tab-crashed event");
        var eventMs = clock.ElapsedMilliseconds;
        Assert.True(crashed.GetProperty("reloaded").GetBoolean());
        // Reloaded: a new renderer draws the page from scratch (red, not the clicked blue).
        await socket.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 255, 0, 0), TimeSpan.FromSeconds(2), "the reloaded red page");
        output.WriteLine($"{renderers.Count} renderer(s) killed: tab-crashed after {eventMs} ms, reloaded picture after {clock.ElapsedMilliseconds} ms");
        Assert.Equal("ready", (await Orchestrator.GetSessionAsync(id)).GetProperty("status").GetString());
    }

    /// <summary>Descendants of Chromium started with <c>--type=renderer</c>.</summary>
    private static List<int> ChromiumRenderers(int chromiumPid)
    {
        var parents = new Dictionary<int, int>();
        var renderers = new List<int>();
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText($"{d}/stat");
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                if (File.ReadAllText($"{d}/cmdline").Contains("--type=renderer", StringComparison.Ordinal))
                {
                    renderers.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                // gone meanwhile
            }
        }
        return [.. renderers.Where(pid => DescendsFrom(pid, chromiumPid, parents))];
    }

    private static bool DescendsFrom(int pid, int ancestor, Dictionary<int, int> parents)
    {
        for (var p = pid; p > 1 && parents.TryGetValue(p, out var parent); p = parent)
        {
            if (parent == ancestor)
            {
                return true;
            }
        }
        return false;
    }
}
