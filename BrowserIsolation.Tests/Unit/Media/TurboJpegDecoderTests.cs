using BrowserIsolation.Runner.Media;

namespace BrowserIsolation.Tests.Unit.Media;

[Trait("Category", "Media")]
public sealed class TurboJpegDecoderTests
{
    [Fact]
    public void DecodesChromiumScreencastJpegStraightToI420()
    {
        var jpeg = File.ReadAllBytes(TestPictures.ScreencastJpegPath);
        using var decoder = new TurboJpegDecoder();
        var picture = new I420Buffer();

        Assert.True(decoder.TryDecode(jpeg, picture), decoder.LastError);

        Assert.Equal(JpegTestEncoder.Subsample420, decoder.LastSubsampling);
        Assert.Equal((1280, 720), (picture.Width, picture.Height));
        // The page's header bar is #1a73e8 and its body white (see Assets/make-screencast-jpeg.mjs).
        var blue = TestPictures.YCbCr((0x1a, 0x73, 0xe8));
        Assert.InRange(TestPictures.Mean(picture.PlaneY, picture.StrideY, 600, 10, 100, 40), blue.Y - 4, blue.Y + 4);
        Assert.InRange(TestPictures.Mean(picture.PlaneU, picture.StrideUV, 300, 5, 50, 20), blue.Cb - 4, blue.Cb + 4);
        Assert.InRange(TestPictures.Mean(picture.PlaneV, picture.StrideUV, 300, 5, 50, 20), blue.Cr - 4, blue.Cr + 4);
        Assert.InRange(TestPictures.Mean(picture.PlaneY, picture.StrideY, 10, 700, 100, 16), 250, 255.1);
    }

    [Theory]
    [InlineData(JpegTestEncoder.Subsample420)]
    [InlineData(JpegTestEncoder.Subsample444)]
    [InlineData(JpegTestEncoder.Subsample422)]
    [InlineData(JpegTestEncoder.Subsample440)]
    [InlineData(JpegTestEncoder.Subsample411)]
    public void EverySubsamplingEndsAsCorrectI420(int subsampling)
    {
        var jpeg = TestPictures.Jpeg(320, 240, subsampling: subsampling);
        using var decoder = new TurboJpegDecoder();
        var picture = new I420Buffer();

        Assert.True(decoder.TryDecode(jpeg, picture), decoder.LastError);

        Assert.Equal(subsampling, decoder.LastSubsampling);
        var banner = TestPictures.YCbCr(TestPictures.Banner);
        var box = TestPictures.YCbCr(TestPictures.Box);
        // Banner: rows 0..29; box: x 0..47, y 120..167 on frame 0. Sample well inside both.
        Assert.InRange(TestPictures.Mean(picture.PlaneY, picture.StrideY, 100, 4, 100, 16), banner.Y - 3, banner.Y + 3);
        Assert.InRange(TestPictures.Mean(picture.PlaneU, picture.StrideUV, 50, 2, 50, 8), banner.Cb - 3, banner.Cb + 3);
        Assert.InRange(TestPictures.Mean(picture.PlaneV, picture.StrideUV, 50, 2, 50, 8), banner.Cr - 3, banner.Cr + 3);
        Assert.InRange(TestPictures.Mean(picture.PlaneY, picture.StrideY, 8, 128, 32, 32), box.Y - 3, box.Y + 3);
        Assert.InRange(TestPictures.Mean(picture.PlaneU, picture.StrideUV, 4, 64, 16, 16), box.Cb - 4, box.Cb + 4);
        Assert.InRange(TestPictures.Mean(picture.PlaneV, picture.StrideUV, 4, 64, 16, 16), box.Cr - 4, box.Cr + 4);
    }

    [Fact]
    public void GrayscaleGetsNeutralChroma()
    {
        var jpeg = TestPictures.Jpeg(64, 48, subsampling: JpegTestEncoder.SubsampleGray);
        using var decoder = new TurboJpegDecoder();
        var picture = new I420Buffer();

        Assert.True(decoder.TryDecode(jpeg, picture), decoder.LastError);

        Assert.Equal(JpegTestEncoder.SubsampleGray, decoder.LastSubsampling);
        Assert.All(picture.PlaneU.ToArray(), v => Assert.Equal(128, v));
        Assert.All(picture.PlaneV.ToArray(), v => Assert.Equal(128, v));
        var bannerLuma = TestPictures.YCbCr(TestPictures.Banner).Y;
        Assert.InRange(TestPictures.Mean(picture.PlaneY, picture.StrideY, 10, 1, 40, 4), bannerLuma - 3, bannerLuma + 3);
    }

    [Fact]
    public void OddSizesKeepTheEvenLayoutLibvpxExpects()
    {
        var jpeg = TestPictures.Jpeg(33, 17);
        using var decoder = new TurboJpegDecoder();
        var picture = new I420Buffer();

        Assert.True(decoder.TryDecode(jpeg, picture), decoder.LastError);

        Assert.Equal((33, 17, 34, 17), (picture.Width, picture.Height, picture.StrideY, picture.StrideUV));
        Assert.Equal(34 * 18, picture.OffsetU);
        // The spare column and row repeat their neighbours.
        var y = picture.PlaneY;
        Assert.Equal(y[(5 * 34) + 32], y[(5 * 34) + 33]);
        Assert.Equal(y.Slice(16 * 34, 34).ToArray(), y.Slice(17 * 34, 34).ToArray());
    }

    [Fact]
    public void ReusesOneBufferAcrossSizes()
    {
        using var decoder = new TurboJpegDecoder();
        var picture = new I420Buffer();
        Assert.True(decoder.TryDecode(TestPictures.Jpeg(640, 360), picture));
        var storage = picture.Data;

        Assert.True(decoder.TryDecode(TestPictures.Jpeg(320, 180), picture));
        Assert.Same(storage, picture.Data);
        Assert.Equal((320, 180), (picture.Width, picture.Height));

        Assert.True(decoder.TryDecode(TestPictures.Jpeg(1280, 720), picture));
        Assert.Equal((1280, 720), (picture.Width, picture.Height));
    }

    [Fact]
    public void InvalidJpegsReturnFalseWithAReason()
    {
        var valid = TestPictures.Jpeg(64, 48);
        var random = new byte[4096];
        new Random(7).NextBytes(random);
        var bodyCorrupt = (byte[])valid.Clone();
        Array.Fill(bodyCorrupt, (byte)0xFF, bodyCorrupt.Length / 2, bodyCorrupt.Length / 4);
        var inputs = new[]
        {
            Array.Empty<byte>(),
            new byte[] { 0xFF, 0xD8 },
            random,
            valid[..(valid.Length / 2)],
            valid[..200],
            bodyCorrupt,
        };

        using var decoder = new TurboJpegDecoder();
        var picture = new I420Buffer();
        foreach (var input in inputs)
        {
            Assert.False(decoder.TryDecode(input, picture));
            Assert.False(string.IsNullOrEmpty(decoder.LastError));
        }
        // Still usable afterwards.
        Assert.True(decoder.TryDecode(valid, picture), decoder.LastError);
    }
}
