using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BrowserIsolation.Tests.Integration.WebRtc;
using BrowserIsolation.Tests.Unit.Audio;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Audio;

/// <summary>
/// The page's sound through a real runner: its own PulseAudio null sink, Opus once per session, then an Opus track
/// that a viewing Chromium hears over WebRTC, and Opus frames over the fallback WebSocket; the policy switch
/// silences both at once.
/// </summary>
[Trait("Category", "WebRtc")]
[Trait("Category", "Chromium")]
public class RunnerAudioTests(ITestOutputHelper output)
{
    private const int Width = 640;
    private const int Height = 360;

    [Fact]
    public async Task AViewerHears440HzOverWebRtcAndSilenceWithinASecondOfAllowAudioFalse()
    {
        await using var runner = await RunnerUnderTest.StartAsync(Width, Height);
        await runner.AssignAsync(TonePage.Url(440), Width, Height);
        await using var chromium = await TestChromium.LaunchAsync();
        var viewer = await AudioViewerPage.OpenAsync(chromium.Browser);
        var answer = await runner.OfferAsync(await viewer.CreateOfferAsync());
        Assert.Contains("m=audio ", answer);
        Assert.Contains("opus/48000/2", answer);
        Assert.Equal("connected", await viewer.ApplyAnswerAsync(answer));

        var (tone, after) = await viewer.WaitUntilAsync(h => Math.Abs(h.PeakHz - 440) < 12 && h.Rms > 0.05, TimeSpan.FromSeconds(20));
        Assert.True(after is not null, $"no 440 Hz tone heard: last {tone}; inbound audio {await viewer.InboundAudioAsync()}");
        output.WriteLine($"heard {tone!.PeakHz:F1} Hz at RMS {tone.Rms:F3}, {after!.Value.TotalMilliseconds:F0} ms after connecting");

        await SetAllowAudioAsync(runner, false);
        var (quiet, silentAfter) = await viewer.WaitUntilAsync(h => h.Rms < 0.005, TimeSpan.FromSeconds(5));
        Assert.True(silentAfter is not null, $"still sound after AllowAudio=false: {quiet}");
        output.WriteLine($"silence (RMS {quiet!.Rms:F4}) {silentAfter!.Value.TotalMilliseconds:F0} ms after AllowAudio=false");
        Assert.True(silentAfter < TimeSpan.FromSeconds(1), $"silence took {silentAfter.Value.TotalMilliseconds:F0} ms");

        await SetAllowAudioAsync(runner, true);
        var (back, backAfter) = await viewer.WaitUntilAsync(h => Math.Abs(h.PeakHz - 440) < 12 && h.Rms > 0.05, TimeSpan.FromSeconds(5));
        Assert.True(backAfter is not null, $"no tone after AllowAudio=true: {back}");
        output.WriteLine($"tone back {backAfter!.Value.TotalMilliseconds:F0} ms after AllowAudio=true");

        var stats = await runner.WebRtcStatsAsync();
        var audio = stats.GetProperty("audio");
        output.WriteLine($"runner audio: {audio}");
        Assert.True(audio.GetProperty("available").GetBoolean());
        Assert.True(audio.GetProperty("deliveredFrames").GetInt64() > 10);
    }

    [Fact]
    public async Task TheFallbackWebSocketCarriesOpusFramesOfThePageTone()
    {
        await using var runner = await RunnerUnderTest.StartAsync(Width, Height);
        await runner.AssignAsync(TonePage.Url(440), Width, Height);
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + runner.Instance.Token);
        await socket.ConnectAsync(new UriBuilder(runner.Instance.ControlUri) { Scheme = "ws", Path = "/ws", Query = "role=owner" }.Uri, CancellationToken.None);
        var hello = await ReceiveTextAsync(socket, "hello");
        Assert.True(hello.GetProperty("audio").GetBoolean(), $"hello says no sound: {hello}");
        await SendAsync(socket, new { type = "frames", enabled = false });
        await SendAsync(socket, new { type = "audio", hearing = true, frames = true });

        // Every audio message, as it arrives.
        var received = new System.Collections.Concurrent.ConcurrentQueue<(TimeSpan At, ulong Micros, byte[] Opus)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[1024 * 1024]; // whole JPEG messages too
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Binary && result.EndOfMessage && buffer[0] == 0x4F)
                {
                    Assert.Equal(1, buffer[1]);
                    Assert.Equal(960, BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2)));
                    received.Enqueue((clock.Elapsed, BinaryPrimitives.ReadUInt64BigEndian(buffer.AsSpan(4)), buffer[12..result.Count]));
                }
            }
        });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (received.Count < 150 && DateTime.UtcNow < deadline && !reader.IsCompleted)
        {
            await Task.Delay(50);
        }
        var frames = received.ToArray()[^100..];
        using var decoder = new OpusTestDecoder();
        var pcm = frames.SelectMany(f => decoder.Decode(f.Opus)).ToArray();
        for (var i = 1; i < frames.Length; i++)
        {
            Assert.True(frames[i].Micros > frames[i - 1].Micros, "timestamps go forward");
        }
        var tail = pcm[(pcm.Length / 2)..];
        var amplitude = Tone.Amplitude(tail, 440);
        var span = (frames[^1].Micros - frames[0].Micros) / 1000.0;
        output.WriteLine($"runner: {(await runner.WebRtcStatsAsync()).GetProperty("audio")}; received {received.Count} in {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine($"100 frames spanning {span:F0} ms of timestamps; 440 Hz amplitude {amplitude:F3}, RMS {Tone.Rms(tail):F3}");
        Assert.True(amplitude > 0.15, $"440 Hz amplitude {amplitude}");
        Assert.InRange(span, 99 * 20 - 1, 99 * 20 + 1); // a steady tone: no gaps, exact 20 ms steps

        // Policy off: the frames stop after a short tail of encoded silence (at most 0.5 s).
        var off = clock.Elapsed;
        await SetAllowAudioAsync(runner, false);
        await Task.Delay(2700);
        var last = received.ToArray()[^1].At - off;
        output.WriteLine($"last audio frame {last.TotalMilliseconds:F0} ms after AllowAudio=false");
        Assert.True(last < TimeSpan.FromMilliseconds(700), $"audio frames {last.TotalMilliseconds:F0} ms after AllowAudio=false");
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        await Task.WhenAny(reader, Task.Delay(3000));
    }

    private static async Task SetAllowAudioAsync(RunnerUnderTest runner, bool allow)
    {
        var policy = (await runner.Http.GetFromJsonAsync<JsonObject>("/policy"))!;
        policy["allowAudio"] = allow;
        using var response = await runner.Http.PutAsJsonAsync("/policy", policy);
        Assert.True(response.IsSuccessStatusCode, $"PUT /policy: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static Task SendAsync(ClientWebSocket socket, object message) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message)), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<JsonElement> ReceiveTextAsync(ClientWebSocket socket, string type)
    {
        var buffer = new byte[256 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Text)
            {
                var json = JsonDocument.Parse(buffer.AsMemory(0, result.Count)).RootElement.Clone();
                if (json.GetProperty("type").GetString() == type)
                {
                    return json;
                }
            }
        }
    }
}
