using System.Runtime.InteropServices;

namespace BrowserIsolation.Tests.Unit.Media;

/// <summary>Makes test JPEGs with libjpeg-turbo's own encoder (tjCompress2), at any subsampling.</summary>
internal static unsafe partial class JpegTestEncoder
{
    public const int Subsample444 = 0;
    public const int Subsample422 = 1;
    public const int Subsample420 = 2;
    public const int SubsampleGray = 3;
    public const int Subsample440 = 4;
    public const int Subsample411 = 5;
    private const int PixelFormatRgb = 0;

    /// <summary>Compresses packed RGB (3 bytes per pixel).</summary>
    public static byte[] Encode(byte[] rgb, int width, int height, int subsampling, int quality = 90)
    {
        var handle = tjInitCompress();
        Assert.True(handle != 0, "tjInitCompress failed: is libturbojpeg0 installed?");
        try
        {
            byte* output = null;
            CULong size = default;
            fixed (byte* source = rgb)
            {
                var result = tjCompress2(handle, source, width, width * 3, height, PixelFormatRgb, &output, &size, subsampling, quality, 0);
                Assert.True(result == 0, "tjCompress2 failed: " + Marshal.PtrToStringUTF8(tjGetErrorStr2(handle)));
            }
            var jpeg = new ReadOnlySpan<byte>(output, (int)size.Value).ToArray();
            tjFree(output);
            return jpeg;
        }
        finally
        {
            _ = tjDestroy(handle);
        }
    }

    [LibraryImport("libturbojpeg.so.0")]
    private static partial nint tjInitCompress();

    [LibraryImport("libturbojpeg.so.0")]
    private static partial int tjCompress2(nint handle, byte* srcBuf, int width, int pitch, int height, int pixelFormat, byte** jpegBuf, CULong* jpegSize, int jpegSubsamp, int jpegQual, int flags);

    [LibraryImport("libturbojpeg.so.0")]
    private static partial void tjFree(byte* buffer);

    [LibraryImport("libturbojpeg.so.0")]
    private static partial int tjDestroy(nint handle);

    [LibraryImport("libturbojpeg.so.0")]
    private static partial nint tjGetErrorStr2(nint handle);
}
