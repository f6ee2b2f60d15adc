using System.Diagnostics;

namespace BrowserIsolation.Runner.Media;

/// <summary>Converts Stopwatch timestamps to media clock units (90 kHz for video) without overflowing.</summary>
public static class MediaClock
{
    public const int VideoClockRate = 90_000;

    /// <summary>Stopwatch ticks times rate / frequency, split so that ticks * rate never overflows 64 bits.</summary>
    public static long ToClockUnits(long stopwatchTicks, int clockRate)
    {
        var frequency = Stopwatch.Frequency;
        var seconds = Math.DivRem(stopwatchTicks, frequency, out var remainder);
        return (seconds * clockRate) + (remainder * clockRate / frequency);
    }

    public static long ElapsedMilliseconds(long fromTicks, long toTicks) =>
        (long)((toTicks - fromTicks) * 1000.0 / Stopwatch.Frequency);

    public static long MillisecondsToTicks(double milliseconds) =>
        (long)(milliseconds * Stopwatch.Frequency / 1000.0);
}
