namespace BrowserIsolation.Runner.WebRtc;

/// <summary>64-bit NTP timestamps (seconds since 1900 in the high word, binary fraction in the low word).</summary>
public static class NtpTime
{
    private static readonly DateTime Epoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static ulong Now() => FromDateTime(DateTime.UtcNow);

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
