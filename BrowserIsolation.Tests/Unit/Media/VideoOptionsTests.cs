using BrowserIsolation.Runner.Capture;
using BrowserIsolation.Runner.Media;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BrowserIsolation.Tests.Unit.Media;

[Trait("Category", "Media")]
public sealed class VideoOptionsTests
{
    [Fact]
    public void MediaSectionConfiguresTheRegisteredPipeline()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Media:Bitrate"] = "1800000",
            ["Media:MinBitrate"] = "400000",
            ["Media:MaxBitrate"] = "4000000",
            ["Media:MaxFps"] = "30",
            ["Media:KeyframeInterval"] = "300",
            ["Media:CpuUsed"] = "-12",
            ["Media:Threads"] = "2",
            ["Media:StaticRepeatMs"] = "1000",
        });
        builder.Services.AddSingleton<FrameHub>();
        builder.AddVideoPipeline();
        using var host = builder.Build();

        var pipeline = host.Services.GetRequiredService<VideoPipeline>();
        Assert.Same(pipeline, host.Services.GetRequiredService<VideoPipeline>());
        var options = pipeline.Options;
        Assert.Equal((1_800_000, 400_000, 4_000_000, 30, 300, -12, 2, 1000),
            (options.Bitrate, options.MinBitrate, options.MaxBitrate, options.MaxFps, options.KeyframeInterval, options.CpuUsed, options.Threads, options.StaticRepeatMs));
        Assert.Equal(1_800_000, pipeline.TargetBitrate);
    }

    [Fact]
    public void OutOfRangeValuesAreClamped()
    {
        var options = new VideoOptions { Bitrate = 1, MinBitrate = 10, MaxBitrate = 5, MaxFps = 0, CpuUsed = -99, Threads = 0, StaticRepeatMs = 1 }.Normalized();
        Assert.Equal((50_000, 50_000, 50_000, 1, -16, 1, 50), (options.MinBitrate, options.MaxBitrate, options.Bitrate, options.MaxFps, options.CpuUsed, options.Threads, options.StaticRepeatMs));
    }
}
