namespace BrowserIsolation.Tests;

public class SmokeTests
{
    [Fact]
    public void FrameHubKeepsLatest()
    {
        var hub = new BrowserIsolation.Runner.Capture.FrameHub();
        hub.Publish(new([1], 1, 1, 1, 0));
        Assert.Equal(1, hub.Latest!.Sequence);
    }
}
