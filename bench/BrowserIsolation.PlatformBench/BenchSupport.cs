using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace BrowserIsolation.PlatformBench;

internal sealed record BenchOptions(int Sessions, int Seconds, int Burst, Uri? Orchestrator)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return new(int.TryParse(Value("--sessions"), out var n) ? n : 50, int.TryParse(Value("--seconds"), out var s) ? s : 10,
            int.TryParse(Value("--burst"), out var b) ? b : 4, Value("--orchestrator") is { } o ? new Uri(o) : null);
    }
}

internal static class Stats
{
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        var rank = p / 100 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    public static async Task<(long Frames, long Bytes, double Seconds)> CountFramesAsync(WebSocket socket, TimeSpan window)
    {
        var buffer = new byte[1 << 20];
        long frames = 0, bytes = 0;
        var clock = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(window);
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, cts.Token);
                bytes += result.Count;
                if (result.EndOfMessage && result.MessageType == WebSocketMessageType.Binary)
                {
                    frames++;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // window over
        }
        return (frames, bytes, clock.Elapsed.TotalSeconds);
    }
}

/// <summary>A local page that repaints every animation frame, like a video or a busy web app.</summary>
internal sealed class AnimatedSite : IAsyncDisposable
{
    private const string Page = """
        <!doctype html><title>animated</title><body style='margin:0;overflow:hidden'><canvas id='c'></canvas><script>
        const c=document.getElementById('c');c.width=innerWidth;c.height=innerHeight;const g=c.getContext('2d');let n=0;
        function draw(){n++;g.fillStyle='hsl('+(n*7%360)+',80%,50%)';g.fillRect(0,0,c.width,c.height);
        g.fillStyle='#fff';g.font='64px sans-serif';g.fillText('frame '+n,40,120);
        for(let i=0;i<40;i++){g.fillStyle='hsl('+((n*13+i*37)%360)+',70%,40%)';g.fillRect((n*5+i*53)%c.width,(i*31+n*3)%c.height,80,60);}
        requestAnimationFrame(draw);}draw();</script></body>
        """;

    private const string TogglePage = """
        <!doctype html><title>toggle</title><body style='margin:0;height:100vh;background:#000'
          onmousedown="document.body.style.background = document.body.style.background === 'rgb(255, 255, 255)' ? '#000' : 'rgb(255, 255, 255)'"></body>
        """;

    private readonly WebApplication _app;

    private AnimatedSite(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>A page that flips between black and white on every press: the input-to-photon target.</summary>
    public string ToggleUrl => Url + "toggle";

    /// <summary>A page that does not repaint: start-up measurements without an animation eating the CPU.</summary>
    public string StaticUrl => Url + "static";

    public static async Task<AnimatedSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Not 127.0.0.1: the egress guard refuses this host's own addresses; LocalOrchestrator allows exactly this one.
        builder.WebHost.UseUrls($"http://{LocalOrchestrator.ContentAddress}:0");
        var app = builder.Build();
        app.MapGet("/", () => Results.Content(Page, "text/html"));
        app.MapGet("/toggle", () => Results.Content(TogglePage, "text/html"));
        app.MapGet("/static", () => Results.Content("<!doctype html><title>static</title><body style='background:#fff'>static</body>", "text/html"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AnimatedSite(app, address + "/");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>An orchestrator started from the repository's Release build, stopped (with its runners) at the end.</summary>
internal sealed partial class LocalOrchestrator(Process process, Uri baseUri) : IAsyncDisposable
{
    public const string ContentAddress = "127.0.0.2";

    public Uri BaseUri { get; } = baseUri;

    public int Pid => process.Id;

    public static async Task<LocalOrchestrator> StartAsync(IDictionary<string, string>? settings = null)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "BrowserIsolation.sln")))
        {
            dir = dir.Parent;
        }
        var dll = Path.Combine(dir?.FullName ?? ".", "BrowserIsolation.Orchestrator", "bin", "Release", "net10.0", "BrowserIsolation.Orchestrator.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("build the orchestrator first: dotnet build BrowserIsolation.Orchestrator -c Release", dll);
        }
        var start = new ProcessStartInfo("dotnet", ["exec", dll, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment["Sessions__MaxSessions"] = "50";
        start.Environment["Policy__Egress__AllowCidrs__0"] = ContentAddress + "/32";
        start.Environment["RateLimits__Enabled"] = "false";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (ReadyLine().Match(line) is { Success: true } m)
            {
                _ = process.StandardOutput.ReadToEndAsync();
                return new LocalOrchestrator(process, new Uri(m.Groups[1].Value));
            }
        }
        throw new InvalidOperationException("the orchestrator exited before it was ready");
    }

    [GeneratedRegex(@"open (\S+) in a browser")]
    private static partial Regex ReadyLine();

    public async ValueTask DisposeAsync()
    {
        Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        process.Dispose();
    }
}
