using BrowserIsolation.Orchestrator.Signaling;

namespace BrowserIsolation.Tests.Unit.Orchestrator;

public sealed class TurnCredentialsTests
{
    [Fact]
    public void FollowsCoturnRestScheme()
    {
        // Expected value from: echo -n "1700000000:s1" | openssl dgst -sha1 -hmac north-wind -binary | base64
        var (username, credential) = TurnCredentials.Create("north-wind", "s1", DateTimeOffset.FromUnixTimeSeconds(1700000000));
        Assert.Equal("1700000000:s1", username);
        Assert.Equal("AenWqW0DJ80EufFpun/lzL1WLlU=", credential);
    }
}
