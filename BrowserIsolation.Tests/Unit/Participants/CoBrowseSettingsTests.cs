using BrowserIsolation.Orchestrator.Auth;
using BrowserIsolation.Orchestrator.Participants;
using BrowserIsolation.Runner.Apis;

namespace BrowserIsolation.Tests.Unit.Participants;

[Trait("Category", "Unit")]
public sealed class CoBrowseSettingsTests
{
    [Fact]
    public void FrameAncestorsAreOriginsOrNothing()
    {
        Assert.Equal("frame-ancestors 'self'", new EmbeddingOptions().HeaderValue().Value);
        Assert.Equal("frame-ancestors 'self' https://meet.example.com http://127.0.0.2:8080 *",
            new EmbeddingOptions { FrameAncestors = ["https://meet.example.com/", "http://127.0.0.2:8080", " ", "*"] }.HeaderValue().Value);
        foreach (var bad in new[] { "meet.example.com", "https://a.example/path", "https://a.example?x=1", "ftp://a.example", "https://a.example; script-src *", "'none'" })
        {
            var (value, error) = new EmbeddingOptions { FrameAncestors = [bad] }.HeaderValue();
            Assert.Null(value);
            Assert.Contains("not an origin", error);
        }
    }

    [Fact]
    public void CoBrowseConfigurationIsCheckedAtStartAndSentToRunners()
    {
        Assert.Empty(new CoBrowseOptions().Validate());
        Assert.Equal(4, new CoBrowseOptions
        {
            ControlMode = "anarchy", ViewportMode = "zoom", ControlIdleTimeout = TimeSpan.FromSeconds(-1), MaxUploadBytes = 0,
        }.Validate().Count());
        var assignment = System.Text.Json.JsonSerializer.Serialize(new CoBrowseOptions { ControlMode = " Shared", ViewportMode = "FOLLOW-OWNER" }.ToAssignment());
        Assert.Contains("\"mode\":\"shared\"", assignment);
        Assert.Contains("\"viewportMode\":\"follow-owner\"", assignment);
        Assert.Contains("\"idleTimeoutSeconds\":120", assignment);
    }

    [Theory]
    [InlineData("report.pdf", "report.pdf")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\ann\\photo.jpg", "photo.jpg")]
    [InlineData(".hidden", "hidden")]
    [InlineData("", "upload")]
    [InlineData("..", "upload")]
    [InlineData("a\u0000b\nc.txt", "abc.txt")]
    public void UploadedFilesKeepOnlyTheirOwnName(string given, string stored) => Assert.Equal(stored, UploadsApi.SafeName(given));
}
