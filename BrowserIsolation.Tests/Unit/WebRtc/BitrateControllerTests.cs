using System.Diagnostics;
using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public sealed class BitrateControllerTests
{
    private const uint OurSsrc = 0x11223344;
    private static readonly long Ms = Stopwatch.Frequency / 1000;

    [Fact]
    public void HighLossCutsByHalfTheLossAtMostEvery300Ms()
    {
        var controller = new BitrateController(2_000_000, 100_000, 5_000_000, nowTicks: 0);

        Assert.True(controller.OnLoss(0.20, 10 * Ms));
        Assert.Equal(1_800_000, controller.TargetBitrate);
        Assert.False(controller.OnLoss(0.20, 200 * Ms));
        Assert.Equal(1_800_000, controller.TargetBitrate);
        Assert.True(controller.OnLoss(0.20, 320 * Ms));
        Assert.Equal(1_620_000, controller.TargetBitrate);
    }

    [Fact]
    public void LowLossGrowsEightPercentPerSecondAndModerateLossHolds()
    {
        var controller = new BitrateController(1_000_000, 100_000, 5_000_000, nowTicks: 0);

        Assert.False(controller.OnLoss(0.0, 500 * Ms));
        Assert.True(controller.OnLoss(0.01, 1000 * Ms));
        Assert.Equal(1_080_000, controller.TargetBitrate);
        Assert.False(controller.OnLoss(0.05, 3000 * Ms));
        Assert.Equal(1_080_000, controller.TargetBitrate);
        Assert.True(controller.OnLoss(0.0, 3000 * Ms));
        Assert.Equal(1_166_400, controller.TargetBitrate);
    }

    [Fact]
    public void RembCapsAtOnceAndGrowthStopsAtIt()
    {
        var controller = new BitrateController(2_500_000, 100_000, 5_000_000, nowTicks: 0);

        Assert.True(controller.OnRemb(800_000));
        Assert.Equal(800_000, controller.TargetBitrate);
        for (var second = 1; second <= 20; second++)
        {
            controller.OnLoss(0, second * 1000 * Ms);
        }
        Assert.Equal(800_000, controller.TargetBitrate);

        // A higher REMB lifts the cap; the rate then climbs from where it is, 8 % a second.
        Assert.False(controller.OnRemb(3_000_000));
        Assert.Equal(800_000, controller.TargetBitrate);
        Assert.Equal(3_000_000, controller.RembBitrate);
        Assert.True(controller.OnLoss(0, 21_000 * Ms));
        Assert.Equal(864_000, controller.TargetBitrate);
    }

    [Fact]
    public void StaysWithinMinAndMax()
    {
        var controller = new BitrateController(1_000_000, 300_000, 1_200_000, nowTicks: 0);
        for (var i = 1; i <= 50; i++)
        {
            controller.OnLoss(0.9, i * 400 * Ms);
        }
        Assert.Equal(300_000, controller.TargetBitrate);
        controller.OnRemb(10);
        Assert.Equal(300_000, controller.TargetBitrate);

        controller.OnRemb(100_000_000);
        for (var i = 1; i <= 100; i++)
        {
            controller.OnLoss(0, (20_000 + (i * 1000)) * Ms);
        }
        Assert.Equal(1_200_000, controller.TargetBitrate);
    }

    [Fact]
    public void ReadsRembAndOnlyTheReportBlocksAboutOurStream()
    {
        var controller = new BitrateController(2_000_000, 100_000, 5_000_000, nowTicks: 0);
        var otherStream = new RtcpReceiverReport(1, [new RtcpReportBlock(0x99999999, 128, 0, 0, 0, 0, 0)]);
        Assert.False(controller.OnRtcp([otherStream], OurSsrc, 1000 * Ms));
        Assert.Equal(2_000_000, controller.TargetBitrate);

        // 25 % loss on our SSRC (the RR vector), then a REMB of 2.5 Mbit/s which does not lift it.
        var parsed = RtcpParser.Parse(Hex.Bytes(RtcpVectors.ReceiverReport + RtcpVectors.Remb)).Packets;
        Assert.True(controller.OnRtcp(parsed, OurSsrc, 1000 * Ms));
        Assert.Equal(1_750_000, controller.TargetBitrate);
    }
}
