using BrowserIsolation.Runner.WebRtc.Congestion;

namespace BrowserIsolation.Tests.Unit.WebRtc.Congestion;

[Trait("Category", "WebRtc")]
public sealed class DelayBasedComponentTests
{
    [Fact]
    public void InterArrivalGroupsAFramesBurstAndYieldsDeltasBetweenGroups()
    {
        var groups = new InterArrival();
        var deltas = new List<GroupDelta>();
        for (var frame = 0; frame < 4; frame++)
        {
            for (var p = 0; p < 3; p++)
            {
                // Three packets 0.1 ms apart every 33 ms; each frame arrives 1 ms later than the one before (a queue).
                var send = (frame * 33_000L) + (p * 100);
                if (groups.Add(send, send + 20_000 + (frame * 1_000), 1200) is { } d)
                {
                    deltas.Add(d);
                }
            }
        }
        Assert.Equal(2, deltas.Count); // frames 0-1 and 1-2 (frame 3's group is not complete)
        Assert.All(deltas, d => Assert.Equal(34_000 - 33_000, d.ArrivalDeltaMicros - d.SendDeltaMicros));
        Assert.Null(groups.Add(0, 200_000, 1200)); // sent before the current group: reordered
    }

    [Fact]
    public void TrendlineSlopeFollowsAGrowingQueueAndIsFlatWithout()
    {
        var rising = new TrendlineEstimator();
        var flat = new TrendlineEstimator();
        for (var i = 1; i <= 40; i++)
        {
            rising.Update(new GroupDelta(33_000, 35_000, 0, i * 35_000L)); // +2 ms of queue per 35 ms
            flat.Update(new GroupDelta(33_000, 33_000, 0, i * 33_000L));
        }
        Assert.InRange(rising.Trend, 0.03, 0.07); // ~2/35 once smoothing has caught up
        Assert.Equal(0, flat.Trend, 6);
    }

    [Fact]
    public void OveruseNeedsASustainedTrendAboveTheThresholdAndTheThresholdAdapts()
    {
        var detector = new OveruseDetector();
        Assert.Equal(BandwidthUsage.Normal, detector.Detect(0.001, 1, 33_000, 0));
        Assert.Equal(BandwidthUsage.Normal, detector.Detect(0.2, 60, 33_000, 33_000)); // first time over: not yet
        Assert.Equal(BandwidthUsage.Overusing, detector.Detect(0.2, 60, 33_000, 66_000));
        Assert.Equal(BandwidthUsage.Underusing, detector.Detect(-0.2, 60, 33_000, 99_000));
        var calm = new OveruseDetector();
        for (var i = 0; i < 300; i++)
        {
            calm.Detect(0.0, 60, 33_000, i * 33_000L);
        }
        Assert.Equal(6, calm.Threshold, 3); // no trend: the threshold falls to its floor
    }

    [Fact]
    public void AimdCutsToBetaTimesAckedAndGrowsMultiplicativelyFarFromCapacity()
    {
        var aimd = new AimdRateControl(2_000_000, 100_000, 10_000_000);
        aimd.Update(BandwidthUsage.Normal, 1_900_000, 0);
        aimd.Update(BandwidthUsage.Normal, 1_900_000, 1_000_000);
        Assert.InRange(aimd.CurrentBps, 2_320_000, 2_340_000); // +8 % at once (no time base yet), +8 % in the next second
        aimd.Update(BandwidthUsage.Overusing, 1_500_000, 1_100_000);
        Assert.Equal(0.85 * 1_500_000, aimd.CurrentBps, 0);
        Assert.True(aimd.LinkCapacity.HasEstimate);
        // Never above 1.5 x acked + 10 kbit/s.
        for (var t = 2; t < 30; t++)
        {
            aimd.Update(BandwidthUsage.Normal, 200_000, t * 1_000_000L);
        }
        Assert.True(aimd.CurrentBps <= 0.85 * 1_500_000);
    }

    [Fact]
    public void LossAboveTenPercentCutsByHalfTheLossAndLowLossGrowsUpToTheDelayBasedRate()
    {
        var loss = new LossBasedControl(2_000_000, 100_000, 10_000_000);
        loss.Update(lost: 20, reported: 100, delayBasedBps: 10_000_000, nowMicros: 0);
        Assert.Equal(2_000_000 * 0.9, loss.CurrentBps, 0);
        loss.Update(20, 100, 10_000_000, 100_000); // within 300 ms + RTT: no second cut
        Assert.Equal(2_000_000 * 0.9, loss.CurrentBps, 0);
        loss.Update(5, 100, 10_000_000, 200_000); // 5 %: hold
        Assert.Equal(2_000_000 * 0.9, loss.CurrentBps, 0);
        loss.Update(0, 100, 1_900_000, 1_200_000);
        Assert.Equal(1_900_000, loss.CurrentBps, 0); // grew, but not past the delay-based rate
    }

    [Fact]
    public void AckedBitrateMeasuresWhatArrived()
    {
        var acked = new AckedBitrateEstimator();
        // 2 Mbit/s: a 1200-byte packet every 4.8 ms for two seconds.
        for (var i = 0; i < 420; i++)
        {
            acked.Update(i * 4_800L, 1200);
        }
        Assert.InRange(acked.BitrateBps!.Value, 1_850_000, 2_150_000);
    }
}
