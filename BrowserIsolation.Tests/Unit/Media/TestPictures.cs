using BrowserIsolation.Runner.Media;

namespace BrowserIsolation.Tests.Unit.Media;

/// <summary>Screen-like test content: flat colours, sharp edges, text-like stripes, a box that moves per frame.</summary>
internal static class TestPictures
{
    public static readonly (byte R, byte G, byte B) Background = (250, 250, 250);
    public static readonly (byte R, byte G, byte B) Banner = (26, 115, 232);
    public static readonly (byte R, byte G, byte B) Box = (230, 40, 40);

    public static string ScreencastJpegPath => Path.Combine(AppContext.BaseDirectory, "Unit", "Media", "Assets", "screencast-1280x720.jpg");

    /// <summary>Packed RGB of frame <paramref name="index"/>: a banner on top, text stripes, and a box moving right.</summary>
    public static byte[] Rgb(int width, int height, int index = 0)
    {
        var rgb = new byte[width * height * 3];
        var bannerHeight = height / 8;
        var boxSize = Math.Max(4, height / 5);
        var boxX = (index * 16) % Math.Max(1, width - boxSize);
        var boxY = height / 2;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var colour = Background;
                if (y < bannerHeight)
                {
                    colour = Banner;
                }
                else if (x >= boxX && x < boxX + boxSize && y >= boxY && y < boxY + boxSize)
                {
                    colour = Box;
                }
                else if (y > bannerHeight + 8 && y < boxY - 8 && (y / 3) % 4 == 0 && ((x * 7) + (y * 13)) % 23 > 4)
                {
                    colour = (30, 30, 30); // "text"
                }
                var i = ((y * width) + x) * 3;
                rgb[i] = colour.R;
                rgb[i + 1] = colour.G;
                rgb[i + 2] = colour.B;
            }
        }
        return rgb;
    }

    public static byte[] Jpeg(int width, int height, int index = 0, int subsampling = JpegTestEncoder.Subsample420, int quality = 90) =>
        JpegTestEncoder.Encode(Rgb(width, height, index), width, height, subsampling, quality);

    /// <summary>Full-range BT.601 YCbCr, as JPEG stores colour.</summary>
    public static (double Y, double Cb, double Cr) YCbCr((byte R, byte G, byte B) c) =>
        ((0.299 * c.R) + (0.587 * c.G) + (0.114 * c.B),
         128 - (0.168736 * c.R) - (0.331264 * c.G) + (0.5 * c.B),
         128 + (0.5 * c.R) - (0.418688 * c.G) - (0.081312 * c.B));

    public static double Mean(ReadOnlySpan<byte> plane, int stride, int x0, int y0, int width, int height)
    {
        double sum = 0;
        for (var y = y0; y < y0 + height; y++)
        {
            for (var x = x0; x < x0 + width; x++)
            {
                sum += plane[(y * stride) + x];
            }
        }
        return sum / (width * height);
    }

    /// <summary>Luma PSNR of a decoded picture against the encoder's input.</summary>
    public static double LumaPsnr(I420Buffer source, DecodedPicture decoded)
    {
        double squared = 0;
        var y = source.PlaneY;
        for (var row = 0; row < source.Height; row++)
        {
            for (var x = 0; x < source.Width; x++)
            {
                var d = y[(row * source.StrideY) + x] - decoded.Y[(row * decoded.Width) + x];
                squared += d * d;
            }
        }
        var mse = squared / (source.Width * source.Height);
        return mse == 0 ? 99 : 10 * Math.Log10(255 * 255 / mse);
    }
}
