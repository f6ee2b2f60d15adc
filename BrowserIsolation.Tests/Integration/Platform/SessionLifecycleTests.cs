using System.Net;
using System.Net.WebSockets;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Platform;

/// <summary>The platform end to end with a real orchestrator, real runners and real Chromium.</summary>
[Trait("Category", "Integration")]
public sealed class SessionLifecycleTests : PlatformTest
{
    [Fact]
    public async Task CreatedSessionStreamsTheServedPageAsJpegFrames()
    {
        var created = await Orchestrator.CreateSessionAsync(Site.Url(TestSite.Pages.Red), 800, 600);
        Assert.Equal("pending", created.GetProperty("status").GetString());
        var id = created.GetProperty("sessionId").GetString()!;
        var ready = await Orchestrator.WaitForStatusAsync(id, "ready");
        Assert.True(ready.GetProperty("metrics").GetProperty("startupMs").GetInt64() > 0);

        using var socket = new SessionSocket(await Orchestrator.ConnectAsync(id));
        var frame = await socket.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 255, 0, 0), TimeSpan.FromSeconds(15), "the red page");
        Assert.Equal((800, 600), (frame.Width, frame.Height));

        var withClient = await Orchestrator.GetSessionAsync(id);
        var metrics = withClient.GetProperty("metrics");
        Assert.Equal(1, metrics.GetProperty("connectedClients").GetInt32());
        Assert.True(metrics.GetProperty("framesSent").GetInt64() >= 1);
    }

    [Fact]
    public async Task ClickAndTypingReachThePage()
    {
        var id = await Orchestrator.CreateReadySessionAsync(Site.Url(TestSite.Pages.ClickToBlue));
        using var socket = new SessionSocket(await Orchestrator.ConnectAsync(id));
        await socket.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 255, 0, 0), TimeSpan.FromSeconds(15), "the red page");

        await socket.SendJsonAsync(new { type = "mousemove", x = 300, y = 200 });
        await socket.SendJsonAsync(new { type = "mousedown", x = 300, y = 200, button = "left" });
        await socket.SendJsonAsync(new { type = "mouseup", x = 300, y = 200, button = "left" });
        await socket.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 0, 0, 255), TimeSpan.FromSeconds(10), "blue after the click");

        var typing = await Orchestrator.CreateReadySessionAsync(Site.Url(TestSite.Pages.TypeInto));
        using var typer = new SessionSocket(await Orchestrator.ConnectAsync(typing));
        await typer.WaitForFrameAsync(f => JpegPixels.IsColor(f.At(f.Width - 5, f.Height - 5), 0, 128, 0), TimeSpan.FromSeconds(15), "the green page");
        await typer.SendJsonAsync(new { type = "mousedown", x = 50, y = 25, button = "left" });
        await typer.SendJsonAsync(new { type = "mouseup", x = 50, y = 25, button = "left" });
        foreach (var key in new[] { "H", "i" })
        {
            await typer.SendJsonAsync(new { type = "keydown", key, code = $"Key{key.ToUpperInvariant()}", modifiers = key == "H" ? 8 : 0 });
            await typer.SendJsonAsync(new { type = "keyup", key, code = $"Key{key.ToUpperInvariant()}" });
        }
        await typer.SendJsonAsync(new { type = "text", text = " there" });
        await typer.SendJsonAsync(new { type = "keydown", key = "Backspace", code = "Backspace" });
        await typer.SendJsonAsync(new { type = "keyup", key = "Backspace", code = "Backspace" });
        // The page reports its field's value in its title; the runner relays title changes as navigation events.
        await typer.WaitForEventAsync(e => e.GetProperty("type").GetString() == "navigation" &&
            e.GetProperty("title").GetString() == "value:Hi ther", TimeSpan.FromSeconds(10), "title value:Hi ther");
    }

    [Fact]
    public async Task TwoClientsBothReceiveFramesAndALateJoinerGetsThePictureAtOnce()
    {
        var id = await Orchestrator.CreateReadySessionAsync(Site.Url(TestSite.Pages.Red));
        using var first = new SessionSocket(await Orchestrator.ConnectAsync(id));
        await first.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 255, 0, 0), TimeSpan.FromSeconds(15), "red for client 1");
        // The page is static now: the second client must still get the last frame straight away.
        await Task.Delay(500);
        using var second = new SessionSocket(await Orchestrator.ConnectAsync(id));
        await second.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 255, 0, 0), TimeSpan.FromSeconds(2), "red for the late joiner");
        var metrics = (await Orchestrator.GetSessionAsync(id)).GetProperty("metrics");
        Assert.Equal(2, metrics.GetProperty("connectedClients").GetInt32());
    }

    [Fact]
    public async Task DeleteEndsRunnerAndChromiumAndRemovesTheProfile()
    {
        var id = await Orchestrator.CreateReadySessionAsync(Site.Url(TestSite.Pages.Red));
        using var socket = new SessionSocket(await Orchestrator.ConnectAsync(id));
        var dir = Assert.Single(RunnerLeftovers.RunnerDirs(Orchestrator.WorkRoot));
        var runnerPid = RunnerLeftovers.RunnerPid(dir)!.Value;
        var chromiumPid = RunnerLeftovers.ChromiumPid(dir)!.Value;
        Assert.True(Directory.Exists(Path.Combine(dir, "profile")));
        Assert.True(RunnerLeftovers.IsAlive(runnerPid) && RunnerLeftovers.IsAlive(chromiumPid));

        var response = await Orchestrator.Http.DeleteAsync($"/api/sessions/{id}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("terminated", (await Orchestrator.GetSessionAsync(id)).GetProperty("status").GetString());

        // The client is told and its socket closes.
        await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "status", TimeSpan.FromSeconds(5), "status terminated");
        await Eventually(() => !RunnerLeftovers.IsAlive(runnerPid) && !RunnerLeftovers.IsAlive(chromiumPid) && !Directory.Exists(dir),
            TimeSpan.FromSeconds(10), "runner, Chromium and profile gone");
        Assert.DoesNotContain(ProcessesInGroup(chromiumPid), _ => true);
    }

    [Fact]
    public async Task KillingARunnerPutsItsSessionInError()
    {
        var id = await Orchestrator.CreateReadySessionAsync(Site.Url(TestSite.Pages.Red));
        var dir = Assert.Single(RunnerLeftovers.RunnerDirs(Orchestrator.WorkRoot));
        var runnerPid = RunnerLeftovers.RunnerPid(dir)!.Value;
        var chromiumPid = RunnerLeftovers.ChromiumPid(dir)!.Value;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        System.Diagnostics.Process.Start("kill", ["-s", "KILL", runnerPid.ToString()])!.WaitForExit();

        var failed = await Orchestrator.WaitForStatusAsync(id, "error", TimeSpan.FromSeconds(2));
        var errorMs = clock.ElapsedMilliseconds;
        Assert.Contains("exited", failed.GetProperty("error").GetString());
        await Eventually(() => !RunnerLeftovers.IsAlive(chromiumPid) && !Directory.Exists(dir), TimeSpan.FromSeconds(10),
            "the dead runner's Chromium and profile reclaimed");
        Console.WriteLine($"runner SIGKILL: session in error after {errorMs} ms ('{failed.GetProperty("error").GetString()}'), Chromium and folder gone after {clock.ElapsedMilliseconds} ms");
        // An orphaned Chromium writes its profile as it exits; it must not bring the directory back.
        await Task.Delay(1500);
        Assert.False(Directory.Exists(dir), "the profile directory came back after the cleanup");
    }

    internal static async Task Eventually(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for: {what}");
            }
            await Task.Delay(100);
        }
    }

    private static IEnumerable<int> ProcessesInGroup(int pgid) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && RunnerLeftovers.IsAlive(pid) && ProcessGroupOf(pid) == pgid);

    private static int ProcessGroupOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[2]);
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }
}
