using BrowserIsolation.Tests.Fixtures;
using Microsoft.Playwright;

namespace BrowserIsolation.Tests.E2e;

/// <summary>WebRTC through the orchestrator's signaling, with real Chromium as the peer, and the fallback to JPEG.</summary>
[Trait("Category", "E2e")]
public sealed class WebRtcTests
{
    /// <summary>Negotiates like any integrator would: GET /ice, POST /offer, then reads getStats() and the video's pixels.</summary>
    internal const string Negotiate = """
        async (id) => {
          const ice = await (await fetch(`/api/sessions/${id}/ice`)).json();
          const pc = new RTCPeerConnection({ iceServers: ice.iceServers });
          pc.addTransceiver('video', { direction: 'recvonly' });
          const video = document.createElement('video');
          video.muted = true; video.autoplay = true; video.playsInline = true;
          document.body.appendChild(video);
          pc.ontrack = e => { video.srcObject = new MediaStream([e.track]); };
          await pc.setLocalDescription(await pc.createOffer());
          await new Promise(r => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 1500); });
          const answer = await fetch(`/api/sessions/${id}/offer`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
          if (!answer.ok) throw new Error('offer refused: ' + answer.status + ' ' + await answer.text());
          await pc.setRemoteDescription({ type: 'answer', sdp: await answer.text() });
          window.__pc = pc; window.__video = video;
        }
        """;

    internal const string Probe = """
        async () => {
          const stats = await window.__pc.getStats();
          let decoded = 0, keyframes = 0;
          stats.forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'video') { decoded = s.framesDecoded || 0; keyframes = s.keyFramesDecoded || 0; } });
          const v = window.__video, c = document.createElement('canvas');
          c.width = v.videoWidth; c.height = v.videoHeight;
          if (!c.width) return { decoded, keyframes, state: window.__pc.connectionState, pixel: null };
          const g = c.getContext('2d'); g.drawImage(v, 0, 0);
          const d = g.getImageData(c.width / 2, c.height / 2, 1, 1).data;
          return { decoded, keyframes, state: window.__pc.connectionState, pixel: [d[0], d[1], d[2]] };
        }
        """;

    internal sealed class ProbeResult
    {
        public int Decoded { get; set; }

        public int Keyframes { get; set; }

        public string State { get; set; } = "";

        public int[]? Pixel { get; set; }

        public override string ToString() => $"decoded {Decoded}, keyframes {Keyframes}, {State}, pixel {string.Join(",", Pixel ?? [])}";
    }

    [Fact]
    public async Task ChromiumDecodesTheSessionOverWebRtcAndSeesAClick()
    {
        await using var site = await TestSite.StartAsync();
        await using var orchestrator = await OrchestratorProcess.StartAsync();
        await using var browser = await PlaywrightBrowser.LaunchAsync();
        var id = await orchestrator.CreateReadySessionAsync(site.Url(TestSite.Pages.ClickToBlue));
        var page = await browser.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(orchestrator.BaseUri, "/health").AbsoluteUri);
        await page.EvaluateAsync(Negotiate, id);

        var red = await WaitForAsync(page, p => p.Decoded > 30 && IsColor(p.Pixel, 255, 0, 0), "more than 30 frames decoded showing red");
        Assert.Equal("connected", red.State);
        Assert.True(red.Keyframes >= 1);

        // Input still goes over the WebSocket; the change arrives as video.
        using var socket = new SessionSocket(await orchestrator.ConnectAsync(id));
        await socket.SendJsonAsync(new { type = "mousedown", x = 200, y = 200, button = "left" });
        await socket.SendJsonAsync(new { type = "mouseup", x = 200, y = 200, button = "left" });
        await WaitForAsync(page, p => IsColor(p.Pixel, 0, 0, 255), "blue in the video after the click");
    }

    [Fact]
    public async Task WebUiShowsWebRtcVideoAndMapsClicksOnIt()
    {
        await using var site = await TestSite.StartAsync();
        await using var orchestrator = await OrchestratorProcess.StartAsync();
        await using var browser = await PlaywrightBrowser.LaunchAsync();
        var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await page.GotoAsync(orchestrator.BaseUri.AbsoluteUri);
        await page.GetByTestId("url-input").FillAsync(site.Url(TestSite.Pages.ClickToBlue));
        await page.GetByTestId("start-button").ClickAsync();

        await Assertions.Expect(page.GetByTestId("transport")).ToHaveTextAsync("WebRTC", new() { Timeout = 45_000 });
        await page.GetByTestId("screen-video").ClickAsync();
        await Assertions.Expect(page.GetByTestId("page-title")).ToHaveTextAsync("clicked", new() { Timeout = 10_000 });
    }

    [Fact]
    public async Task UnreachableMediaFallsBackToJpegWithinTheConfiguredTime()
    {
        await using var site = await TestSite.StartAsync();
        // The runner announces an address nothing listens on, so ICE can never connect.
        await using var orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Media__PublicIp"] = "127.0.0.9",
        });
        await using var browser = await PlaywrightBrowser.LaunchAsync();
        var id = await orchestrator.CreateReadySessionAsync(site.Url(TestSite.Pages.Red));
        var page = await browser.Browser.NewPageAsync();
        var opened = DateTime.UtcNow;
        await page.GotoAsync(new Uri(orchestrator.BaseUri, $"/?session={id}&rtcTimeoutMs=3000").AbsoluteUri);

        await Assertions.Expect(page.GetByTestId("transport")).ToHaveAttributeAsync("data-rtc", "failed", new() { Timeout = 10_000 });
        var waited = DateTime.UtcNow - opened;
        Assert.True(waited < TimeSpan.FromSeconds(8), $"fallback took {waited}");
        await Assertions.Expect(page.GetByTestId("transport")).ToHaveTextAsync("WebSocket JPEG");
        var pixel = await page.EvaluateAsync<int[]?>("""
            () => { const c = document.querySelector('[data-testid=screen-canvas]'); if (!c || !c.width) return null;
                    const d = c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data; return [d[0], d[1], d[2]]; }
            """);
        Assert.True(IsColor(pixel, 255, 0, 0), $"the JPEG canvas shows the page; center {string.Join(",", pixel ?? [])}");
    }

    private static bool IsColor(int[]? p, int r, int g, int b) =>
        p is { Length: 3 } && Math.Abs(p[0] - r) < 50 && Math.Abs(p[1] - g) < 50 && Math.Abs(p[2] - b) < 50;

    internal static async Task<ProbeResult> WaitForAsync(IPage page, Func<ProbeResult, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        ProbeResult? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await page.EvaluateAsync<ProbeResult>(Probe);
            if (condition(last))
            {
                return last;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"never saw {what}; last: {last}");
    }
}
