using System.Diagnostics;
using BrowserIsolation.Runner.Media;

namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>The Stopwatch clock in microseconds: the one time base of every congestion-control timestamp on the send side.</summary>
public static class MonotonicMicros
{
    public static long Now() => MediaClock.ToClockUnits(Stopwatch.GetTimestamp(), 1_000_000);
}
