using System.Diagnostics;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>64-bit NTP timestamps (seconds since 1900 in the high word, binary fraction in the low word).</summary>
public static class NtpTime
{
    private static readonly DateTime Epoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly ulong StartNtp = FromDateTime(DateTime.UtcNow);
    private static readonly long StartTicks = Stopwatch.GetTimestamp();

    /// <summary>
    /// Now, on a monotonic clock: the wall clock when the process started plus the Stopwatch since. Sender Reports,
    /// abs-send-time and round trips need time that never jumps; the wall clock may (NTP steps, a changed date).
    /// </summary>
    public static ulong Now() => StartNtp + FromElapsed(Stopwatch.GetElapsedTime(StartTicks));

    /// <summary>A duration in NTP units (2^32 per second).</summary>
    public static ulong FromElapsed(TimeSpan elapsed)
    {
        var ticks = (ulong)Math.Max(0, elapsed.Ticks);
        var seconds = ticks / TimeSpan.TicksPerSecond;
        return (seconds << 32) + (((ticks % TimeSpan.TicksPerSecond) << 32) / TimeSpan.TicksPerSecond);
    }

    public static ulong FromDateTime(DateTime utc)
    {
        var ticks = (ulong)(utc.ToUniversalTime() - Epoch).Ticks;
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var fraction = ((ticks % TimeSpan.TicksPerSecond) << 32) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }

    public static DateTime ToDateTime(ulong ntp)
    {
        var seconds = ntp >> 32;
        var fractionTicks = ((ntp & 0xFFFF_FFFF) * TimeSpan.TicksPerSecond) >> 32;
        return Epoch.AddTicks((long)((seconds * TimeSpan.TicksPerSecond) + fractionTicks));
    }

    /// <summary>The middle 32 bits, as RTCP's LSR/DLSR fields carry them (units of 1/65536 s).</summary>
    public static uint Middle32(ulong ntp) => (uint)(ntp >> 16);

    /// <summary>The abs-send-time value: 6.18 fixed-point seconds, i.e. bits 14..37 of the NTP timestamp.</summary>
    public static uint AbsSendTime(ulong ntp) => (uint)((ntp >> 14) & 0x00FF_FFFF);
}
