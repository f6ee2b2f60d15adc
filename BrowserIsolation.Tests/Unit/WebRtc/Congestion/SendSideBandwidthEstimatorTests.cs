using BrowserIsolation.Runner.WebRtc.Congestion;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Unit.WebRtc.Congestion;

[Trait("Category", "WebRtc")]
public sealed class SendSideBandwidthEstimatorTests(ITestOutputHelper output)
{
    private void Print(SimulatedLink link, int every = 10) =>
        output.WriteLine(string.Join(" ", link.Trace.Where((_, i) => i % every == 0).Select(t => $"{t.Seconds:F1}s:{t.Target / 1000}k")));

    [Fact]
    public void StableLinkTheEstimateRisesToTheLinkRateAndStaysBelowIt()
    {
        var estimator = new SendSideBandwidthEstimator(1_000_000, 300_000, 20_000_000);
        var link = new SimulatedLink(estimator) { CapacityBps = 5_000_000, JitterMicros = 1_000 };
        link.Run(TimeSpan.FromSeconds(40));
        Print(link);
        var late = link.Trace.Where(t => t.Seconds > 25).Select(t => t.Target).ToList();
        Assert.True(late.Average() > 0.7 * link.CapacityBps, $"settled at {late.Average():F0} on a {link.CapacityBps} link");
        Assert.True(late.Average() < 1.15 * link.CapacityBps, $"settled at {late.Average():F0}, above the {link.CapacityBps} link");
    }

    [Fact]
    public void AQueueBuildingWhenTheLinkShrinksCutsTheEstimateWithinASecond()
    {
        var estimator = new SendSideBandwidthEstimator(4_000_000, 300_000, 20_000_000);
        var link = new SimulatedLink(estimator) { CapacityBps = 8_000_000 };
        link.Run(TimeSpan.FromSeconds(5));
        var before = estimator.TargetBps;
        Assert.True(before >= 4_000_000);
        link.CapacityBps = 1_000_000;
        link.Run(TimeSpan.FromSeconds(1));
        Print(link, 2);
        Assert.True(estimator.TargetBps < 0.5 * before, $"{before} -> {estimator.TargetBps} one second after the link fell to 1 Mbit/s");
        link.Run(TimeSpan.FromSeconds(10));
        var late = link.Trace.Where(t => t.Seconds > 10).Select(t => t.Target).ToList();
        Assert.True(late.Average() is > 500_000 and < 1_300_000, $"settled at {late.Average():F0} on a 1 Mbit/s link");
    }

    [Fact]
    public void HeavyLossCutsTheEstimateAndLightLossDoesNot()
    {
        var estimator = new SendSideBandwidthEstimator(3_000_000, 300_000, 20_000_000);
        var link = new SimulatedLink(estimator) { CapacityBps = 50_000_000, ApplicationBps = 3_000_000 };
        link.Run(TimeSpan.FromSeconds(3));
        var before = estimator.TargetBps;
        link.Loss = 0.01;
        link.Run(TimeSpan.FromSeconds(3));
        Assert.True(estimator.TargetBps >= before, $"1 % loss moved {before} to {estimator.TargetBps}");
        link.Loss = 0.25;
        link.Run(TimeSpan.FromSeconds(2));
        Print(link);
        Assert.True(estimator.TargetBps < 0.7 * before, $"25 % loss: {before} -> {estimator.TargetBps}");
        Assert.True(estimator.LossRatio > 0.15);
    }

    [Fact]
    public void ApplicationLimitedTheEstimateDoesNotDrift()
    {
        var estimator = new SendSideBandwidthEstimator(3_000_000, 300_000, 20_000_000);
        // A static page: 60 kbit/s of repeats and audio on a fast, slightly jittery link.
        var link = new SimulatedLink(estimator) { CapacityBps = 50_000_000, ApplicationBps = 60_000, JitterMicros = 3_000 };
        link.Run(TimeSpan.FromSeconds(30));
        Print(link);
        Assert.True(estimator.ApplicationLimited);
        var targets = link.Trace.Where(t => t.Seconds > 2).Select(t => t.Target).ToList();
        Assert.True(targets.Min() >= 0.85 * 3_000_000 && targets.Max() <= 3_000_000 * 1.05,
            $"drifted to {targets.Min()}..{targets.Max()} while sending 60 kbit/s");
    }

    [Fact]
    public void AStartProbeThatGetsThroughBecomesTheEstimate()
    {
        var estimator = new SendSideBandwidthEstimator(1_000_000, 300_000, 6_000_000);
        estimator.OnMediaStarted(0);
        var probe = estimator.TakeProbe();
        Assert.Equal(3_000_000, probe);
        estimator.OnProbeSent(1, 15, 0);
        // 15 packets of 1200 bytes sent 3.2 ms apart (3 Mbit/s) arrive just as spaced.
        var results = Enumerable.Range(0, 15)
            .Select(i => new PacketResult(new SentPacket(i, i * 3_200, 1200, 1), 50_000 + (i * 3_200))).ToList();
        estimator.Update(results, 0, 15, double.PositiveInfinity, 100_000);
        Assert.InRange(estimator.TargetBps, 2_800_000, 3_100_000);
        Assert.Equal(1, estimator.ProbeResults);
        // It got all through: a further probe at twice the result, capped just above the maximum.
        Assert.Equal(6_000_000, estimator.TakeProbe());
    }

    [Fact]
    public void AProbeIntoASaturatedLinkReportsTheReceiveRate()
    {
        var estimator = new SendSideBandwidthEstimator(1_000_000, 300_000, 6_000_000);
        estimator.OnProbeSent(4, 15, 0);
        // Sent at 6 Mbit/s, spread by a 2 Mbit/s bottleneck (4.8 ms per packet).
        var results = Enumerable.Range(0, 15)
            .Select(i => new PacketResult(new SentPacket(i, i * 1_600, 1200, 4), 50_000 + (i * 4_800))).ToList();
        estimator.Update(results, 0, 15, double.PositiveInfinity, 100_000);
        Assert.InRange(estimator.TargetBps, 1_800_000, 2_000_000); // 0.95 x 2 Mbit/s
    }
}
