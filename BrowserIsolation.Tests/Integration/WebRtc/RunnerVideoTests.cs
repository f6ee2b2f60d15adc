using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.WebRtc;

/// <summary>
/// End to end through a real runner process: Chromium renders a page, the screencast is encoded to VP8 once, and
/// viewers in another Chromium receive it over our ICE-lite/DTLS/SRTP and decode it.
/// </summary>
[Trait("Category", "WebRtc")]
[Trait("Category", "Chromium")]
public class RunnerVideoTests(ITestOutputHelper output)
{
    private const int Width = 640;
    private const int Height = 360;
    private static readonly int[] Green = [0, 160, 80];
    private static readonly int[] Magenta = [200, 40, 160];

    /// <summary>A solid page with a small animated counter (so frames keep coming); a press turns it magenta.</summary>
    private static string PageUrl()
    {
        var html = $$"""
            <html><body style="margin:0;height:100vh;background:rgb({{Green[0]}},{{Green[1]}},{{Green[2]}})"
              onmousedown="document.body.style.background='rgb({{Magenta[0]}},{{Magenta[1]}},{{Magenta[2]}})'">
            <div id="t" style="position:fixed;left:0;top:0;width:60px;height:20px;background:#fff;font:14px monospace"></div>
            <script>let n = 0; (function tick() { document.getElementById('t').textContent = n++; requestAnimationFrame(tick); })();</script>
            </body></html>
            """;
        return "data:text/html;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(html));
    }

    [Fact]
    public async Task ViewersDecodeTheRunnersPageEncodedOnceAndSeeAClick()
    {
        await using var runner = await RunnerUnderTest.StartAsync(Width, Height);
        await runner.AssignAsync(PageUrl(), Width, Height);
        await using var chromium = await TestChromium.LaunchAsync();

        // First viewer.
        var first = await ViewerPage.OpenAsync(chromium.Browser);
        var answer = await runner.OfferAsync(await first.CreateOfferAsync());
        var (state, connectMs) = await first.ApplyAnswerAsync(answer);
        Assert.Equal("connected", state);
        var decoded = await first.WaitForDecodedFramesAsync(30, TimeSpan.FromSeconds(20));
        Assert.True(decoded is { FramesDecoded: > 30 }, $"first viewer decoded {decoded?.FramesDecoded ?? 0} frames");
        Assert.Equal(Width, decoded!.FrameWidth);
        Assert.Equal(Height, decoded.FrameHeight);
        Assert.True(await first.WaitForColourAsync(Green, 24, TimeSpan.FromSeconds(5)),
            $"video centre is {string.Join(",", await first.SampleAsync())}, expected ~{string.Join(",", Green)}");
        output.WriteLine($"viewer 1: connected {connectMs:F1} ms after setRemoteDescription; {decoded}");

        // Second viewer: the session still encodes once.
        var second = await ViewerPage.OpenAsync(chromium.Browser);
        var (state2, connectMs2) = await second.ApplyAnswerAsync(await runner.OfferAsync(await second.CreateOfferAsync()));
        Assert.Equal("connected", state2);
        var decoded2 = await second.WaitForDecodedFramesAsync(30, TimeSpan.FromSeconds(20));
        Assert.True(decoded2 is { FramesDecoded: > 30, KeyFramesDecoded: >= 1 }, $"second viewer decoded {decoded2}");
        Assert.True(await second.WaitForColourAsync(Green, 24, TimeSpan.FromSeconds(5)));
        var stats = await runner.WebRtcStatsAsync();
        var encoded = stats.GetProperty("encoder").GetProperty("encodedFrames").GetInt64();
        var sent = stats.GetProperty("peers").EnumerateArray().Select(p => p.GetProperty("framesSent").GetInt64()).ToArray();
        Assert.Equal(2, sent.Length);
        Assert.Equal(2, stats.GetProperty("encoder").GetProperty("subscribers").GetInt32());
        Assert.All(sent, s => Assert.True(s > 30));
        Assert.True(encoded < sent.Sum(), $"encoded {encoded} frames for peers that were sent {string.Join("+", sent)}: not encoded once");
        output.WriteLine($"viewer 2: connected {connectMs2:F1} ms; encoder {encoded} frames, peers sent {string.Join(", ", sent)}");
        output.WriteLine("runner /webrtc/stats: " + stats);

        // A click through the runner's input WebSocket turns the page magenta; both viewers see it.
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + runner.Instance.Token);
        var wsUri = new UriBuilder(runner.Instance.ControlUri) { Scheme = "ws", Path = "/ws", Query = "role=owner" }.Uri;
        await socket.ConnectAsync(wsUri, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        foreach (var type in new[] { "mousedown", "mouseup" })
        {
            var message = $$"""{"type":"{{type}}","x":{{Width / 2}},"y":{{Height / 2}},"button":"left","clickCount":1}""";
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        var seen = await Task.WhenAll(first.WaitForColourAsync(Magenta, 24, TimeSpan.FromSeconds(5)), second.WaitForColourAsync(Magenta, 24, TimeSpan.FromSeconds(5)));
        output.WriteLine($"click to magenta on both viewers (incl. Playwright round trips): {watch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(seen[0] && seen[1], $"after the click: viewer 1 {string.Join(",", await first.SampleAsync())}, viewer 2 {string.Join(",", await second.SampleAsync())}");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        // The runner never makes a client owner by default: a missing, unknown or repeated role is refused.
        foreach (var query in new[] { "", "role=", "role=admin", "role=OWNER", "role=viewer&role=owner" })
        {
            using var refused = new ClientWebSocket();
            refused.Options.SetRequestHeader("Authorization", "Bearer " + runner.Instance.Token);
            refused.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(
                new UriBuilder(runner.Instance.ControlUri) { Scheme = "ws", Path = "/ws", Query = query }.Uri, CancellationToken.None));
            Assert.True(refused.HttpStatusCode == System.Net.HttpStatusCode.BadRequest, $"/ws?{query}: {refused.HttpStatusCode}");
        }
        // Liveness is open; health and everything else need the token (a probe must not take another runner for its own).
        using (var plain = new HttpClient { BaseAddress = runner.Instance.ControlUri })
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await plain.GetAsync("/alive")).StatusCode);
            foreach (var path in new[] { "/health", "/HEALTH", "/stats", "/Stats", "/webrtc/stats", "/policy", "/nothing" })
            {
                var status = (await plain.GetAsync(path)).StatusCode;
                Assert.True(status is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.NotFound, $"{path} without the token: {status}");
            }
        }
        // Nor without the runner token, in any spelling.
        using (var anonymous = new ClientWebSocket())
        {
            anonymous.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => anonymous.ConnectAsync(
                new UriBuilder(runner.Instance.ControlUri) { Scheme = "ws", Path = "/WS", Query = "role=owner" }.Uri, CancellationToken.None));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.HttpStatusCode);
        }

        var final1 = await first.InboundAsync();
        output.WriteLine($"viewer 1 final: {final1}");
        if (final1 is { JitterBufferEmittedCount: > 0 })
        {
            output.WriteLine($"viewer 1 mean jitter-buffer delay {1000 * final1.JitterBufferDelay / final1.JitterBufferEmittedCount:F1} ms, " +
                $"mean decode {1000 * final1.TotalDecodeTime / final1.FramesDecoded:F2} ms");
        }
    }
}
