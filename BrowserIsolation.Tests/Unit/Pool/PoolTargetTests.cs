using BrowserIsolation.Orchestrator.Pool;

namespace BrowserIsolation.Tests.Unit.Pool;

[Trait("Category", "Unit")]
public sealed class PoolTargetTests
{
    private static readonly PoolOptions Options = new() { MinSize = 1, MaxSize = 6, Headroom = 0.5 };

    [Theory]
    [InlineData(0, 120, 2, 1)]    // no demand: the minimum
    [InlineData(1, 120, 2, 1)]    // a trickle: ceil(0.017 + 0.5) = 1
    [InlineData(120, 120, 2, 3)]  // 1/s x 2 s = 2, + 0.5 -> 3
    [InlineData(60, 10, 2, 6)]    // 6/s x 2 s = 12: capped at the maximum
    [InlineData(10, 10, 1.5, 2)]  // 1/s x 1.5 s + 0.5 = 2
    public void TargetIsDemandRateTimesColdStartPlusHeadroomWithinBounds(int demand, int windowSeconds, double coldSeconds, int expected) =>
        Assert.Equal(expected, PoolTarget.Compute(demand, TimeSpan.FromSeconds(windowSeconds), TimeSpan.FromSeconds(coldSeconds), Options));

    [Fact]
    public void AMaximumBelowTheMinimumKeepsTheMinimum() =>
        Assert.Equal(2, PoolTarget.Compute(100, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), new PoolOptions { MinSize = 2, MaxSize = 1 }));
}
