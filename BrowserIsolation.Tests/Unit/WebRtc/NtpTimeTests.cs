using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public sealed class NtpTimeTests
{
    [Fact]
    public void UnixEpochIsSecond2208988800()
    {
        var ntp = NtpTime.FromDateTime(DateTime.UnixEpoch);
        Assert.Equal(2_208_988_800UL << 32, ntp);
        Assert.Equal(DateTime.UnixEpoch, NtpTime.ToDateTime(ntp));
    }

    [Fact]
    public void HalfASecondIsTheTopFractionBit()
    {
        var ntp = NtpTime.FromDateTime(DateTime.UnixEpoch.AddSeconds(5.5));
        Assert.Equal(0x8000_0000UL, ntp & 0xFFFF_FFFF);
    }

    [Fact]
    public void AbsSendTimeIsSixPointEighteenSeconds()
    {
        var ntp = (5UL << 32) | 0x8000_0000; // 5.5 s
        Assert.Equal((uint)(5.5 * (1 << 18)), NtpTime.AbsSendTime(ntp));
        Assert.Equal(0x0005_8000u, NtpTime.Middle32(ntp));
        // 64 s wrap-around
        Assert.Equal(NtpTime.AbsSendTime(ntp), NtpTime.AbsSendTime(ntp + (64UL << 32)));
    }

    [Fact]
    public void RoundTripTimeFromReportBlock()
    {
        var now = (1000UL << 32) | 0x8000_0000;
        var lsr = NtpTime.Middle32(now) - 0x2000u; // SR sent 125 ms ago
        var block = new RtcpReportBlock(1, 0, 0, 0, 0, lsr, 0x1000); // held 62.5 ms at the receiver
        Assert.Equal(TimeSpan.FromMilliseconds(62.5), block.RoundTripTime(now));
        Assert.Null((block with { LastSenderReport = 0 }).RoundTripTime(now));
    }

    [Fact]
    public void NowIsMonotonicAndFollowsTheWallClock()
    {
        var wall = NtpTime.FromDateTime(DateTime.UtcNow);
        var previous = NtpTime.Now();
        Assert.True(Math.Abs((double)(long)(previous - wall) / (1L << 32)) < 1.0, "within a second of the wall clock");
        for (var i = 0; i < 10_000; i++)
        {
            var now = NtpTime.Now();
            Assert.True(now >= previous);
            previous = now;
        }
        Assert.Equal(3UL << 31, NtpTime.FromElapsed(TimeSpan.FromMilliseconds(1500)));
        Assert.Equal(0UL, NtpTime.FromElapsed(TimeSpan.FromSeconds(-1)));
    }
}
