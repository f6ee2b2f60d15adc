using System.Diagnostics;
using BrowserIsolation.Runner.Capture;
using BrowserIsolation.Runner.WebRtc;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.WebRtc;

/// <summary>
/// Loss on the real path: packets are dropped after SRTP, Chromium asks for them (generic NACK, then PLI when a
/// picture cannot be repaired) and our RTX retransmissions and keyframes must get it decoding again.
/// </summary>
[Trait("Category", "WebRtc")]
[Trait("Category", "Chromium")]
public class LossRecoveryTests(ITestOutputHelper output)
{
    private const int Width = 640;
    private const int Height = 360;

    private static async Task<(WebRtcPeer Peer, ViewerPage Viewer)> ConnectAsync(WebRtcTestHost host, TestChromium chromium)
    {
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        var viewer = await ViewerPage.OpenAsync(chromium.Browser);
        using var response = await http.PostAsync("/webrtc/offer",
            new StringContent(await viewer.CreateOfferAsync(), System.Text.Encoding.UTF8, "application/sdp"));
        Assert.True(response.IsSuccessStatusCode);
        var id = response.Headers.Location!.ToString().Split('/')[^1];
        var peer = host.Service.FindPeer(id)!;
        var (state, _) = await viewer.ApplyAnswerAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal("connected", state);
        return (peer, viewer);
    }

    [Fact]
    public async Task NackedPacketsComeBackAsRtx()
    {
        await using var host = await WebRtcTestHost.StartAsync();
        await using var feeder = new FrameFeeder(host.Services.GetRequiredService<FrameHub>(), Width, Height, 30);
        await using var chromium = await TestChromium.LaunchAsync();
        var (peer, viewer) = await ConnectAsync(host, chromium);
        Assert.NotNull(peer.Video.RtxPayloadType);

        // 5 % loss, first transmissions and retransmissions alike.
        peer.DropOutgoingRtp = index => index % 20 == 0;
        var stats = await viewer.WaitForDecodedFramesAsync(150, TimeSpan.FromSeconds(20));
        var sender = peer.VideoSender!;
        output.WriteLine($"viewer {stats}; runner: {peer.RtpPacketsSent} RTP sent, NACKed {sender.NackedPackets}, " +
            $"retransmitted {sender.Retransmitted}, PLI {sender.PliReceived}, FIR {sender.FirReceived}");
        Assert.True(stats is { FramesDecoded: > 150 }, $"decoding stalled under 5 % loss: {stats}");
        Assert.True(stats!.NackCount > 0, "Chromium sent no NACK");
        Assert.True(sender.NackedPackets > 0 && sender.Retransmitted > 0, "no retransmission");
        // Repaired by RTX, not by keyframes: Chromium rarely had to ask for a picture.
        Assert.True(stats.PliCount <= 2, $"{stats.PliCount} PLIs: retransmissions did not repair the stream");
    }

    [Fact]
    public async Task AnOutageEndsWithAPliKeyframeAndDecodingResumes()
    {
        await using var host = await WebRtcTestHost.StartAsync();
        await using var feeder = new FrameFeeder(host.Services.GetRequiredService<FrameHub>(), Width, Height, 30);
        await using var chromium = await TestChromium.LaunchAsync();
        var (peer, viewer) = await ConnectAsync(host, chromium);
        Assert.True((await viewer.WaitForDecodedFramesAsync(30, TimeSpan.FromSeconds(10)))?.FramesDecoded > 30);

        // Two seconds of total loss: older than the retransmission history, so only a keyframe can repair it.
        var outageUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 2;
        peer.DropOutgoingRtp = _ => Stopwatch.GetTimestamp() < outageUntil;
        await Task.Delay(2000);
        var before = (await viewer.InboundAsync())!;
        var after = await viewer.WaitForDecodedFramesAsync((int)before.FramesDecoded + 60, TimeSpan.FromSeconds(15));
        var sender = peer.VideoSender!;
        output.WriteLine($"before {before}; after {after}; runner PLI {sender.PliReceived}, FIR {sender.FirReceived}, NACKed {sender.NackedPackets}");
        Assert.True(after!.FramesDecoded > before.FramesDecoded + 60, "decoding did not resume after the outage");
        Assert.True(sender.PliReceived + sender.FirReceived > 0, "Chromium asked for no keyframe");
        Assert.True(after.KeyFramesDecoded > before.KeyFramesDecoded, "no new keyframe was decoded");
    }
}
