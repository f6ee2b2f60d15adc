using System.Diagnostics;

namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>The Stopwatch clock in microseconds: the one time base of every congestion-control timestamp on the send side.</summary>
public static class MonotonicMicros
{
    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    public static long Now() => (long)(Stopwatch.GetTimestamp() * MicrosPerTick);
}
