using System.Runtime.InteropServices;

namespace BrowserIsolation.Tests.Fixtures;

/// <summary>Decodes a JPEG with libturbojpeg to read pixels back (tests only; the runner decodes to I420 itself).</summary>
public static partial class JpegPixels
{
    public sealed record Image(int Width, int Height, byte[] Rgb)
    {
        public (byte R, byte G, byte B) At(int x, int y)
        {
            var i = (y * Width + x) * 3;
            return (Rgb[i], Rgb[i + 1], Rgb[i + 2]);
        }

        public (byte R, byte G, byte B) Center => At(Width / 2, Height / 2);
    }

    public static Image Decode(byte[] jpeg)
    {
        var handle = tjInitDecompress();
        try
        {
            if (tjDecompressHeader3(handle, jpeg, (nuint)jpeg.Length, out var width, out var height, out _, out _) != 0)
            {
                throw new InvalidDataException("not a JPEG: " + Marshal.PtrToStringUTF8(tjGetErrorStr2(handle)));
            }
            var rgb = new byte[width * height * 3];
            if (tjDecompress2(handle, jpeg, (nuint)jpeg.Length, rgb, width, 0, height, 0 /* TJPF_RGB */, 0) != 0)
            {
                throw new InvalidDataException("JPEG decode failed: " + Marshal.PtrToStringUTF8(tjGetErrorStr2(handle)));
            }
            return new Image(width, height, rgb);
        }
        finally
        {
            _ = tjDestroy(handle);
        }
    }

    /// <summary>True when every channel is within <paramref name="tolerance"/> (JPEG is lossy).</summary>
    public static bool IsColor((byte R, byte G, byte B) pixel, byte r, byte g, byte b, int tolerance = 40) =>
        Math.Abs(pixel.R - r) <= tolerance && Math.Abs(pixel.G - g) <= tolerance && Math.Abs(pixel.B - b) <= tolerance;

    private const string Lib = "libturbojpeg.so.0";
    [LibraryImport(Lib)] private static partial nint tjInitDecompress();
    [LibraryImport(Lib)] private static partial int tjDestroy(nint handle);
    [LibraryImport(Lib)] private static partial nint tjGetErrorStr2(nint handle);
    [LibraryImport(Lib)] private static partial int tjDecompressHeader3(nint handle, byte[] jpeg, nuint size, out int width, out int height, out int subsamp, out int colorspace);
    [LibraryImport(Lib)] private static partial int tjDecompress2(nint handle, byte[] jpeg, nuint size, byte[] dst, int width, int pitch, int height, int pixelFormat, int flags);
}
