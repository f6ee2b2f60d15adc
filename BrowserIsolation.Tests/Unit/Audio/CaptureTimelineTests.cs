using System.Diagnostics;
using BrowserIsolation.Runner.Audio;

namespace BrowserIsolation.Tests.Unit.Audio;

public class CaptureTimelineTests
{
    private static readonly long Frame = Stopwatch.Frequency / 50; // 20 ms

    [Fact]
    public void BurstsAndJitterKeepExactStepsAndTheEarliestBound()
    {
        var timeline = new CaptureTimeline(48_000, 960);
        var start = 1000 * Stopwatch.Frequency;
        // Three frames arrive at once (buffered), then reads come 12 or 23 ms apart, as PulseAudio's null sink delivers them.
        long[] reads = [start + (3 * Frame), start + (3 * Frame), start + (3 * Frame), start + (4 * Frame) + (Frame / 5), start + (5 * Frame)];
        var results = reads.Select(timeline.Next).ToArray();
        for (var i = 1; i < results.Length; i++)
        {
            Assert.Equal(960, results[i].SampleTime - results[i - 1].SampleTime);
            Assert.False(results[i].Gap);
        }
        // The third read proves the first sample was played no later than start: later frames are placed from there.
        Assert.Equal(start + (4 * Frame), results[4].CapturedAt);
    }

    [Fact]
    public void ALongStallStartsTheTimelineAgainAndSaysSo()
    {
        var timeline = new CaptureTimeline(48_000, 960);
        var start = 1000 * Stopwatch.Frequency;
        var first = timeline.Next(start + Frame);
        var stalled = timeline.Next(start + (20 * Frame)); // 380 ms late: samples were lost
        Assert.True(stalled.Gap);
        Assert.Equal(start + (19 * Frame), stalled.CapturedAt);
        Assert.True(stalled.SampleTime - first.SampleTime >= 18 * 960);
    }
}
