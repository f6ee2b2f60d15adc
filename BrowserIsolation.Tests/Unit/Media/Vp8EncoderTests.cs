using BrowserIsolation.Runner.Media;

namespace BrowserIsolation.Tests.Unit.Media;

[Trait("Category", "Media")]
public sealed class Vp8EncoderTests
{
    private const long FrameTicks90k = 90_000 / 30;

    [Fact]
    public void FirstFrameIsAKeyframeAndTheStreamDecodes()
    {
        using var jpeg = new TurboJpegDecoder();
        using var encoder = new Vp8Encoder(new VideoOptions { Bitrate = 2_000_000 });
        using var decoder = new Vp8TestDecoder();
        var picture = new I420Buffer();

        for (var i = 0; i < 10; i++)
        {
            Assert.True(jpeg.TryDecode(TestPictures.Jpeg(320, 240, i), picture), jpeg.LastError);
            Assert.True(encoder.TryEncode(picture, i * FrameTicks90k, forceKeyframe: false, out var frame, out var isKeyframe));
            Assert.Equal(i == 0, isKeyframe);
            Assert.Equal(i == 0, (frame[0] & 1) == 0); // VP8 frame tag: P bit 0 means keyframe (RFC 6386)

            var decoded = decoder.Decode(frame);
            Assert.Equal((320, 240), (decoded.Width, decoded.Height));
            if (i >= 3)
            {
                Assert.True(TestPictures.LumaPsnr(picture, decoded) > 30, "decoded picture is far from the input");
            }
        }
    }

    [Fact]
    public void ForcedKeyframeComesOnRequest()
    {
        using var encoder = new Vp8Encoder(new VideoOptions());
        var picture = Picture(320, 240, 0);
        var keyframes = new List<bool>();
        for (var i = 0; i < 8; i++)
        {
            Assert.True(encoder.TryEncode(Picture(320, 240, i, picture), i * FrameTicks90k, forceKeyframe: i == 5, out _, out var isKeyframe));
            keyframes.Add(isKeyframe);
        }
        Assert.Equal([true, false, false, false, false, true, false, false], keyframes);
    }

    [Fact]
    public void KeyframeIntervalComesFromOptions()
    {
        using var encoder = new Vp8Encoder(new VideoOptions { KeyframeInterval = 5 });
        var picture = new I420Buffer();
        var keyframes = 0;
        for (var i = 0; i < 16; i++)
        {
            Assert.True(encoder.TryEncode(Picture(160, 120, i, picture), i * FrameTicks90k, false, out _, out var isKeyframe));
            keyframes += isKeyframe ? 1 : 0;
        }
        Assert.InRange(keyframes, 3, 5);
    }

    [Fact]
    public void BitrateChangeTakesEffect()
    {
        // Same moving content, first at 200 kbit/s, then at 4 Mbit/s on the same encoder.
        using var encoder = new Vp8Encoder(new VideoOptions { Bitrate = 200_000, MinBitrate = 100_000, MaxBitrate = 8_000_000 });
        var picture = new I420Buffer();
        long low = 0, high = 0;
        for (var i = 0; i < 60; i++)
        {
            if (i == 30)
            {
                encoder.SetBitrate(4_000_000);
                Assert.Equal(4_000_000, encoder.Bitrate);
            }
            Assert.True(encoder.TryEncode(Picture(640, 360, i, picture), i * FrameTicks90k, false, out var frame, out _));
            if (i is >= 10 and < 30)
            {
                low += frame.Length;
            }
            else if (i >= 40)
            {
                high += frame.Length;
            }
        }
        Assert.True(high > low * 2, $"4 Mbit/s produced {high} bytes, 200 kbit/s {low} bytes");
    }

    [Fact]
    public void BitrateIsClampedToTheConfiguredRange()
    {
        using var encoder = new Vp8Encoder(new VideoOptions { MinBitrate = 500_000, MaxBitrate = 3_000_000 });
        encoder.SetBitrate(10);
        Assert.Equal(500_000, encoder.Bitrate);
        encoder.SetBitrate(int.MaxValue);
        Assert.Equal(3_000_000, encoder.Bitrate);
    }

    [Fact]
    public void ResolutionChangeRecreatesTheEncoder()
    {
        using var encoder = new Vp8Encoder(new VideoOptions());
        using var decoder = new Vp8TestDecoder();
        var picture = new I420Buffer();
        var sizes = new[] { (640, 360), (640, 360), (1280, 720), (1280, 720), (33, 17) };
        for (var i = 0; i < sizes.Length; i++)
        {
            var (w, h) = sizes[i];
            Assert.True(encoder.TryEncode(Picture(w, h, i, picture), i * FrameTicks90k, false, out var frame, out var isKeyframe));
            Assert.Equal(i != 1 && i != 3, isKeyframe);
            Assert.Equal((w, h), (encoder.Width, encoder.Height));
            var decoded = decoder.Decode(frame);
            Assert.Equal((w, h), (decoded.Width, decoded.Height));
        }
    }

    [Theory]
    [InlineData(-16, 2)]
    [InlineData(-6, 1)]
    [InlineData(8, 1)]
    public void SpeedAndThreadSettingsAreAccepted(int cpuUsed, int threads)
    {
        using var encoder = new Vp8Encoder(new VideoOptions { CpuUsed = cpuUsed, Threads = threads });
        var picture = new I420Buffer();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(encoder.TryEncode(Picture(640, 360, i, picture), i * FrameTicks90k, false, out var frame, out _));
            Assert.NotEmpty(frame);
        }
    }

    private static I420Buffer Picture(int width, int height, int index, I420Buffer? into = null)
    {
        into ??= new I420Buffer();
        using var decoder = new TurboJpegDecoder();
        Assert.True(decoder.TryDecode(TestPictures.Jpeg(width, height, index), into), decoder.LastError);
        return into;
    }
}
