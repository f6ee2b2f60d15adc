using System.Text.Json;
using Microsoft.Playwright;

namespace BrowserIsolation.Tests.Integration.Audio;

/// <summary>
/// A WebRTC viewer in Chromium that receives video and audio and listens to the audio through a WebAudio analyser:
/// the dominant frequency and the level are what a person would hear.
/// </summary>
internal sealed class AudioViewerPage(IPage page)
{
    public IPage Page => page;

    public static async Task<AudioViewerPage> OpenAsync(IBrowser browser)
    {
        var page = await browser.NewPageAsync();
        await page.SetContentAsync("""
            <!doctype html><html><body style="margin:0;background:#000;height:100vh">
            <video id="v" autoplay muted playsinline></video><audio id="a" autoplay></audio></body></html>
            """);
        // A real click: the page may now start an AudioContext (autoplay rules), as a person's click would allow.
        await page.Mouse.ClickAsync(10, 10);
        return new AudioViewerPage(page);
    }

    public Task<string> CreateOfferAsync() => page.EvaluateAsync<string>("""
        async () => {
          const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
          window.pc = pc;
          pc.addTransceiver('video', { direction: 'recvonly' });
          const audio = pc.addTransceiver('audio', { direction: 'recvonly' });
          audio.receiver.jitterBufferTarget = 0; // as the web client asks: interactive, not broadcast
          window.ctx = new AudioContext({ sampleRate: 48000 });
          await ctx.resume();
          pc.ontrack = e => {
            if (e.track.kind === 'video') { document.getElementById('v').srcObject = new MediaStream([e.track]); return; }
            const stream = new MediaStream([e.track]);
            // Chromium renders a remote track into WebAudio only while a media element plays it too.
            const a = document.getElementById('a'); a.srcObject = stream; a.muted = true; a.play().catch(() => {});
            window.analyser = ctx.createAnalyser();
            analyser.fftSize = 8192;
            analyser.smoothingTimeConstant = 0;
            ctx.createMediaStreamSource(stream).connect(analyser);
          };
          await pc.setLocalDescription(await pc.createOffer());
          return pc.localDescription.sdp;
        }
        """);

    public async Task<string> ApplyAnswerAsync(string answer) => await page.EvaluateAsync<string>("""
        async (answer) => {
          await pc.setRemoteDescription({ type: 'answer', sdp: answer });
          return await new Promise(resolve => {
            const check = () => { if (['connected', 'failed', 'closed'].includes(pc.connectionState)) resolve(pc.connectionState); };
            pc.onconnectionstatechange = check;
            check();
            setTimeout(() => resolve('timeout(' + pc.connectionState + ')'), 15000);
          });
        }
        """, answer);

    public sealed record Heard(double PeakHz, double Rms);

    /// <summary>What the analyser hears now: the loudest frequency and the RMS level (0..1).</summary>
    public async Task<Heard?> ListenAsync()
    {
        var result = await page.EvaluateAsync<JsonElement?>("""
            () => {
              if (!window.analyser) return null;
              const f = new Float32Array(analyser.frequencyBinCount); analyser.getFloatFrequencyData(f);
              let peak = 0; for (let i = 1; i < f.length; i++) if (f[i] > f[peak]) peak = i;
              const t = new Float32Array(analyser.fftSize); analyser.getFloatTimeDomainData(t);
              let sum = 0; for (const x of t) sum += x * x;
              return { peakHz: peak * ctx.sampleRate / analyser.fftSize, rms: Math.sqrt(sum / t.length) };
            }
            """);
        return result is { ValueKind: JsonValueKind.Object } r
            ? new Heard(r.GetProperty("peakHz").GetDouble(), r.GetProperty("rms").GetDouble())
            : null;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; returns the last reading and when it first held.</summary>
    public async Task<(Heard? Last, TimeSpan? After)> WaitUntilAsync(Func<Heard, bool> condition, TimeSpan timeout)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Heard? last = null;
        while (watch.Elapsed < timeout)
        {
            last = await ListenAsync();
            if (last is not null && condition(last))
            {
                return (last, watch.Elapsed);
            }
            await Task.Delay(50);
        }
        return (last, null);
    }

    public async Task<JsonElement> InboundAudioAsync() => await page.EvaluateAsync<JsonElement>("""
        async () => {
          let found = null;
          (await pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'audio') found = s; });
          return found;
        }
        """);
}
