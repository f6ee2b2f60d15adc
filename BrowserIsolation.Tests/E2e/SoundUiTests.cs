using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using BrowserIsolation.Tests.Fixtures;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.E2e;

/// <summary>
/// The page's sound in the Web UI: one session, a viewer on WebRTC and one on the JPEG fallback, each hearing the
/// remote page's 440 Hz tone through a WebAudio analyser after "Click for sound"; the policy switch silences both.
/// </summary>
[Trait("Category", "E2e")]
public sealed class SoundUiTests(ITestOutputHelper output)
{
    private const string TonePath = "/tone";

    private const string TonePage = """
        <!doctype html><title>tone</title><body style="margin:0;background:#234"><script>
        const ctx = new AudioContext(); const o = ctx.createOscillator(); o.frequency.value = 440;
        const g = ctx.createGain(); g.gain.value = 0.3; o.connect(g).connect(ctx.destination); o.start();
        </script></body>
        """;

    // Whatever the page connects to its speakers also feeds an analyser (the fallback plays through WebAudio).
    private const string TapDestination = """
        (() => {
          const connect = AudioNode.prototype.connect;
          AudioNode.prototype.connect = function (target, ...rest) {
            if (target instanceof AudioDestinationNode) {
              const ctx = target.context;
              if (!ctx.__tap) { ctx.__tap = ctx.createAnalyser(); ctx.__tap.fftSize = 8192; ctx.__tap.smoothingTimeConstant = 0; window.__tap = ctx.__tap; }
              connect.call(this, ctx.__tap);
            }
            return connect.call(this, target, ...rest);
          };
        })();
        """;

    // The WebRTC path plays in <audio data-testid=remote-audio>: listen to its stream.
    private const string TapRemoteAudio = """
        () => {
          const el = document.querySelector('[data-testid=remote-audio]');
          if (!el || !el.srcObject) return false;
          const ctx = new AudioContext();
          window.__tap = ctx.createAnalyser(); __tap.fftSize = 8192; __tap.smoothingTimeConstant = 0;
          ctx.createMediaStreamSource(el.srcObject).connect(__tap);
          return true;
        }
        """;

    private const string Listen = """
        () => {
          const a = window.__tap; if (!a) return null;
          const f = new Float32Array(a.frequencyBinCount); a.getFloatFrequencyData(f);
          let peak = 1; for (let i = 1; i < f.length; i++) if (f[i] > f[peak]) peak = i;
          const t = new Float32Array(a.fftSize); a.getFloatTimeDomainData(t);
          let s = 0; for (const x of t) s += x * x;
          return [peak * a.context.sampleRate / a.fftSize, Math.sqrt(s / t.length)];
        }
        """;

    // In the page, every 10 ms: the first moment after the mark that the level is silence (the harness's own round
    // trips stay out of the figure).
    private const string WatchForSilence = """
        () => {
          window.__silentAt = null; window.__markAt = performance.now();
          const a = window.__tap, t = new Float32Array(a.fftSize);
          const timer = setInterval(() => {
            a.getFloatTimeDomainData(t); let s = 0; for (const x of t) s += x * x;
            if (Math.sqrt(s / t.length) < 0.005) { window.__silentAt = performance.now() - window.__markAt; clearInterval(timer); }
          }, 10);
        }
        """;

    [Fact]
    public async Task ViewersOnWebRtcAndOnTheFallbackHearTheToneAndPolicyOffSilencesBothWithinASecond()
    {
        await using var site = await TestSite.StartAsync(extraPages: new Dictionary<string, string> { [TonePath] = TonePage });
        await using var orchestrator = await OrchestratorProcess.StartAsync();
        await using var browser = await PlaywrightBrowser.LaunchAsync();
        var id = await orchestrator.CreateReadySessionAsync(site.Url(TonePath));

        var webrtc = await OpenViewerAsync(browser, orchestrator, id, transport: null, "WebRTC");
        Assert.True(await webrtc.EvaluateAsync<bool>(TapRemoteAudio), "no remote audio stream in <audio data-testid=remote-audio>");
        var fallback = await OpenViewerAsync(browser, orchestrator, id, transport: "jpeg", "WebSocket JPEG");
        await Assertions.Expect(fallback.GetByTestId("sound-toggle")).ToHaveAttributeAsync("data-path", "frames");

        foreach (var (name, page) in new[] { ("WebRTC", webrtc), ("fallback", fallback) })
        {
            var (heard, after) = await WaitForAsync(page, h => Math.Abs(h[0] - 440) < 12 && h[1] > 0.15, TimeSpan.FromSeconds(15));
            Assert.True(after is not null, $"{name}: no 440 Hz heard; last {Show(heard)}");
            output.WriteLine($"{name}: heard {heard![0]:F1} Hz at RMS {heard[1]:F3}");
        }
        // The participants panel (open at this width) shows who hears.
        await Assertions.Expect(webrtc.GetByTestId("participant-hears").First).ToBeVisibleAsync(new() { Timeout = 10_000 });

        // The pages start watching just before the PUT; the PUT's own time counts (it is part of "after AllowAudio=false").
        foreach (var page in new[] { webrtc, fallback })
        {
            await page.EvaluateAsync(WatchForSilence);
        }
        await SetAllowAudioAsync(orchestrator, id, false);
        foreach (var (name, page) in new[] { ("WebRTC", webrtc), ("fallback", fallback) })
        {
            var (quiet, _) = await WaitForAsync(page, h => h[1] < 0.005, TimeSpan.FromSeconds(5));
            var silentAfter = await page.EvaluateAsync<double?>("() => window.__silentAt");
            output.WriteLine($"{name}: silent (RMS {quiet?[1]:F4}) {silentAfter:F0} ms after the pages started watching, just before the PUT");
            Assert.True(quiet is not null && silentAfter is < 1000, $"{name}: {Show(quiet)}, silent after {silentAfter} ms");
            await Assertions.Expect(page.GetByTestId("sound-toggle")).ToHaveAttributeAsync("data-state", "policy-off");
        }
    }

    private static async Task<IPage> OpenViewerAsync(PlaywrightBrowser browser, OrchestratorProcess orchestrator, string id, string? transport, string label)
    {
        var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await page.AddInitScriptAsync(TapDestination);
        var query = transport is null ? $"/?session={id}" : $"/?session={id}&transport={transport}";
        await page.GotoAsync(new Uri(orchestrator.BaseUri, query).AbsoluteUri);
        await Assertions.Expect(page.GetByTestId("transport")).ToHaveTextAsync(label, new() { Timeout = 45_000 });
        // Autoplay rules: sound may wait for a click, as a person's would: the "Click for sound" pill, or any press in the page.
        var unblock = page.GetByTestId("sound-unblock");
        var toggle = page.GetByTestId("sound-toggle");
        await Assertions.Expect(toggle).Not.ToHaveAttributeAsync("data-state", "unavailable", new() { Timeout = 10_000 });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var clicks = 0;
        while (await toggle.GetAttributeAsync("data-hearing") != "true" && DateTime.UtcNow < deadline)
        {
            if (await unblock.IsVisibleAsync())
            {
                await unblock.ClickAsync();
                clicks++;
            }
            else if (await toggle.GetAttributeAsync("data-state") == "muted")
            {
                await toggle.ClickAsync();
                clicks++;
            }
            else if (clicks == 0)
            {
                await page.Mouse.ClickAsync(5, 5); // a press anywhere gives the page user activation
                clicks++;
            }
            await Task.Delay(250);
        }
        await Assertions.Expect(toggle).ToHaveAttributeAsync("data-state", "on");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("data-hearing", "true");
        return page;
    }

    private static async Task<(double[]? Last, TimeSpan? After)> WaitForAsync(IPage page, Func<double[], bool> condition, TimeSpan timeout)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        double[]? last = null;
        while (watch.Elapsed < timeout)
        {
            last = await page.EvaluateAsync<double[]?>(Listen);
            if (last is { Length: 2 } && condition(last))
            {
                return (last, watch.Elapsed);
            }
            await Task.Delay(50);
        }
        return (last, null);
    }

    private static string Show(double[]? heard) => heard is { Length: 2 } ? $"{heard[0]:F1} Hz at RMS {heard[1]:F4}" : "nothing";

    private static async Task SetAllowAudioAsync(OrchestratorProcess orchestrator, string id, bool allow)
    {
        var policy = (await orchestrator.Http.GetFromJsonAsync<JsonObject>($"/api/sessions/{id}/policy"))!;
        policy["allowAudio"] = allow;
        using var response = await orchestrator.Http.PutAsJsonAsync($"/api/sessions/{id}/policy", policy);
        Assert.True(response.IsSuccessStatusCode, $"PUT policy: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
