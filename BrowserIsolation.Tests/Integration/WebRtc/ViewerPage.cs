using System.Text.Json;
using Microsoft.Playwright;

namespace BrowserIsolation.Tests.Integration.WebRtc;

/// <summary>
/// A viewer in Chromium: a recvonly RTCPeerConnection whose offer/answer the test carries to the runner,
/// a &lt;video&gt; showing the track, and a canvas to read its pixels back.
/// </summary>
internal sealed class ViewerPage(IPage page)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public IPage Page => page;

    public static async Task<ViewerPage> OpenAsync(IBrowser browser)
    {
        var page = await browser.NewPageAsync();
        await page.SetContentAsync("""
            <!doctype html><html><body style="margin:0;background:#000">
            <video id="v" autoplay muted playsinline></video><canvas id="c"></canvas></body></html>
            """);
        return new ViewerPage(page);
    }

    public Task<string> CreateOfferAsync() => page.EvaluateAsync<string>("""
        async () => {
          const pc = new RTCPeerConnection();
          window.pc = pc;
          pc.addTransceiver('video', { direction: 'recvonly' });
          pc.ontrack = e => { document.getElementById('v').srcObject = new MediaStream([e.track]); };
          await pc.setLocalDescription(await pc.createOffer());
          return pc.localDescription.sdp;
        }
        """);

    /// <summary>Applies the answer; returns (state, ms from setRemoteDescription to that state).</summary>
    public async Task<(string State, double Ms)> ApplyAnswerAsync(string answer)
    {
        var result = await page.EvaluateAsync<JsonElement>("""
            async (answer) => {
              const started = performance.now();
              await pc.setRemoteDescription({ type: 'answer', sdp: answer });
              const state = await new Promise(resolve => {
                const check = () => { if (['connected', 'failed', 'closed'].includes(pc.connectionState)) resolve(pc.connectionState); };
                pc.onconnectionstatechange = check;
                check();
                setTimeout(() => resolve('timeout(' + pc.connectionState + ')'), 15000);
              });
              return { state, ms: performance.now() - started };
            }
            """, answer);
        return (result.GetProperty("state").GetString()!, result.GetProperty("ms").GetDouble());
    }

    public sealed record InboundVideo(double FramesDecoded, double FramesReceived, double KeyFramesDecoded, double FrameWidth, double FrameHeight,
        double PacketsLost, double NackCount, double PliCount, double FirCount, double BytesReceived, double JitterBufferDelay,
        double JitterBufferEmittedCount, double TotalDecodeTime, string? DecoderImplementation);

    public async Task<InboundVideo?> InboundAsync()
    {
        var stats = await page.EvaluateAsync<JsonElement?>("""
            async () => {
              let found = null;
              (await pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'video') found = s; });
              return found;
            }
            """);
        if (stats is not { ValueKind: JsonValueKind.Object } value)
        {
            return null;
        }
        double N(string name) => value.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : 0;
        return new InboundVideo(N("framesDecoded"), N("framesReceived"), N("keyFramesDecoded"), N("frameWidth"), N("frameHeight"),
            N("packetsLost"), N("nackCount"), N("pliCount"), N("firCount"), N("bytesReceived"), N("jitterBufferDelay"),
            N("jitterBufferEmittedCount"), N("totalDecodeTime"),
            value.TryGetProperty("decoderImplementation", out var d) ? d.GetString() : null);
    }

    /// <summary>Waits until more than <paramref name="frames"/> frames were decoded.</summary>
    public async Task<InboundVideo?> WaitForDecodedFramesAsync(int frames, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        InboundVideo? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await InboundAsync();
            if (last is not null && last.FramesDecoded > frames)
            {
                return last;
            }
            await Task.Delay(100);
        }
        return last;
    }

    /// <summary>The video's pixel at (fx, fy) as fractions of its size, drawn through a canvas.</summary>
    public async Task<int[]> SampleAsync(double fx = 0.5, double fy = 0.5) => await page.EvaluateAsync<int[]>("""
        ([fx, fy]) => {
          const v = document.getElementById('v'), c = document.getElementById('c');
          if (!v.videoWidth) return [-1, -1, -1];
          c.width = v.videoWidth; c.height = v.videoHeight;
          const g = c.getContext('2d', { willReadFrequently: true });
          g.drawImage(v, 0, 0);
          const d = g.getImageData(Math.floor(v.videoWidth * fx), Math.floor(v.videoHeight * fy), 1, 1).data;
          return [d[0], d[1], d[2]];
        }
        """, new[] { fx, fy });

    /// <summary>Resolves on the first presented video frame whose centre is within tolerance of the colour.</summary>
    public async Task<bool> WaitForColourAsync(int[] rgb, int tolerance, TimeSpan timeout) => await page.EvaluateAsync<bool>("""
        ([rgb, tolerance, timeoutMs]) => new Promise(resolve => {
          const v = document.getElementById('v'), c = document.getElementById('c');
          const g = c.getContext('2d', { willReadFrequently: true });
          const timer = setTimeout(() => resolve(false), timeoutMs);
          const check = () => {
            if (v.videoWidth) {
              c.width = v.videoWidth; c.height = v.videoHeight;
              g.drawImage(v, 0, 0);
              const d = g.getImageData(v.videoWidth >> 1, v.videoHeight >> 1, 1, 1).data;
              if (Math.abs(d[0] - rgb[0]) <= tolerance && Math.abs(d[1] - rgb[1]) <= tolerance && Math.abs(d[2] - rgb[2]) <= tolerance) {
                clearTimeout(timer); resolve(true); return;
              }
            }
            v.requestVideoFrameCallback(check);
          };
          check();
        })
        """, new object[] { rgb, tolerance, (int)timeout.TotalMilliseconds });
}
