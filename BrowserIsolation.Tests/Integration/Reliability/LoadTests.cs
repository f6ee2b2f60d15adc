using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using BrowserIsolation.Tests.Fixtures;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Reliability;

/// <summary>
/// 200 WebSocket viewers on one animated session while Debian's <c>wrk</c> drives the REST API from loopback:
/// the first viewer keeps its picture, the API answers without errors, and the rate limits hold.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class LoadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Viewers = 200;
    private TestSite _site = null!;

    public async Task InitializeAsync() => _site = await TestSite.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task Two_hundred_viewers_and_a_wrk_load_keep_the_first_viewer_streaming_and_the_api_answering()
    {
        await using var orchestrator = await OrchestratorProcess.StartAsync();
        var id = await orchestrator.CreateReadySessionAsync(_site.Url(TestSite.Pages.Animated), 640, 360);
        var first = new FrameCounter(await orchestrator.ConnectAsync(id));
        var others = new List<FrameCounter>();
        try
        {
            var alone = await first.FpsOverAsync(TimeSpan.FromSeconds(5));
            for (var i = 1; i < Viewers; i++)
            {
                others.Add(new FrameCounter(await orchestrator.ConnectAsync(id)));
            }
            var crowdFps = first.FpsOverAsync(TimeSpan.FromSeconds(10));
            var wrk = await WrkAsync(new Uri(orchestrator.BaseUri, $"/api/sessions/{id}"), TimeSpan.FromSeconds(10));
            var crowd = await crowdFps;
            var open = others.Count(o => o.Socket.State == WebSocketState.Open);
            output.WriteLine($"first viewer {alone:0.0} fps alone, {crowd:0.0} fps among {Viewers} viewers under wrk; " +
                $"API {wrk.RequestsPerSecond:0} req/s, p99 {wrk.P99Ms:0.0} ms, {wrk.Errors} errors; {open + 1}/{Viewers} sockets open; " +
                $"slowest other viewer {others.Min(o => o.Frames)} frames");
            Assert.Equal(0, wrk.Errors);
            Assert.Equal(Viewers - 1, open);
            Assert.True(crowd >= 5, $"the first viewer got {crowd:0.0} fps");
            Assert.All(others, o => Assert.True(o.Frames > 0, "every viewer got a picture"));
        }
        finally
        {
            first.Dispose();
            others.ForEach(o => o.Dispose());
        }
    }

    [Fact]
    public async Task Under_a_wrk_flood_the_rate_limit_holds_and_the_api_stays_fast()
    {
        await using var orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["RateLimits__Enabled"] = "true",
            ["RateLimits__RequestsPerSecond"] = "20",
            ["RateLimits__Burst"] = "40",
        });
        var duration = TimeSpan.FromSeconds(5);
        var wrk = await WrkAsync(new Uri(orchestrator.BaseUri, "/api/sessions"), duration);
        var accepted = wrk.Requests - wrk.Non2xx;
        var allowed = 40 + 20 * (duration.TotalSeconds + 1);
        output.WriteLine($"flood: {wrk.Requests} requests ({wrk.RequestsPerSecond:0}/s), {accepted} accepted (limit {allowed:0}), " +
            $"{wrk.Non2xx} refused with 429, p99 {wrk.P99Ms:0.0} ms");
        Assert.InRange(accepted, 1, (long)allowed);
        Assert.True(wrk.Non2xx > 0);
        Assert.Equal(0, wrk.Errors);
    }

    private sealed record WrkResult(long Requests, double RequestsPerSecond, double P99Ms, long Non2xx, long Errors);

    private static async Task<WrkResult> WrkAsync(Uri url, TimeSpan duration)
    {
        var wrk = new[] { "/usr/bin/wrk", "/usr/local/bin/wrk" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("wrk is not installed: run scripts/install-deps.sh test (apt-get install wrk)");
        Assert.True(System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(url.Host)), "load goes to loopback only");
        var start = new ProcessStartInfo(wrk, ["-t2", "-c32", $"-d{(int)duration.TotalSeconds}s", "--latency", url.AbsoluteUri])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        try
        {
            var text = await process.StandardOutput.ReadToEndAsync().WaitAsync(duration + TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync();
            long Count(Regex pattern) => pattern.Match(text) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            var p99 = P99().Match(text);
            var errors = SocketErrors().Match(text) is { Success: true } e
                ? e.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture))
                : 0;
            return new WrkResult(Count(Total()), double.Parse(Rate().Match(text).Groups[1].Value, CultureInfo.InvariantCulture),
                double.Parse(p99.Groups[1].Value, CultureInfo.InvariantCulture) * (p99.Groups[2].Value switch { "us" => 0.001, "s" => 1000, _ => 1 }),
                Count(Non2xx()), errors);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Total();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex Rate();

    [GeneratedRegex(@"99%\s+([\d.]+)(us|ms|s)")]
    private static partial Regex P99();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();

    /// <summary>A viewer that reads everything (as a browser does) and counts the frames.</summary>
    private sealed class FrameCounter : IDisposable
    {
        private readonly Task _reading;
        private long _frames;

        public FrameCounter(ClientWebSocket socket)
        {
            Socket = socket;
            _reading = Task.Run(ReadAsync);
        }

        public ClientWebSocket Socket { get; }

        public long Frames => Interlocked.Read(ref _frames);

        public async Task<double> FpsOverAsync(TimeSpan window)
        {
            var before = Frames;
            var clock = Stopwatch.StartNew();
            await Task.Delay(window);
            return (Frames - before) / clock.Elapsed.TotalSeconds;
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[1 << 16];
            try
            {
                while (Socket.State == WebSocketState.Open)
                {
                    var result = await Socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }
                    if (result.EndOfMessage && result.MessageType == WebSocketMessageType.Binary)
                    {
                        Interlocked.Increment(ref _frames);
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // closed under us at the end
            }
        }

        public void Dispose()
        {
            Socket.Abort();
            Socket.Dispose();
            _reading.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
