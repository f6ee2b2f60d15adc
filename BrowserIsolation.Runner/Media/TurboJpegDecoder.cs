using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BrowserIsolation.Runner.Media;

/// <summary>
/// Decodes JPEG to I420 with libjpeg-turbo 2.1 (tj* API of libturbojpeg.so.0). One instance per thread.
/// 4:2:0 and grayscale JPEGs decode straight into the I420 planes; any other subsampling or colour space
/// (4:4:4, 4:2:2, 4:4:0, 4:1:1, RGB, CMYK) goes through packed BGRX and libjpeg-turbo's own 4:2:0 encoder.
/// </summary>
public sealed partial class TurboJpegDecoder : IDisposable
{
    /// <summary>VP8 cannot code more than 16383 pixels per side; refuse anything bigger before allocating.</summary>
    public const int MaxDimension = 16383;

    private const int SubsampYuv420 = 2;
    private const int SubsampGray = 3;
    private const int ColorspaceYCbCr = 1;
    private const int ColorspaceGray = 2;
    private const int PixelFormatBgrx = 3;
    private const int FlagFastDct = 2048;
    private const int FlagStopOnWarning = 8192;

    private TurboJpegHandle _decompressor;
    private readonly int _flags;
    private TurboJpegHandle? _compressor;
    private byte[] _packed = [];

    public TurboJpegDecoder(bool fastDct = false)
    {
        // A warning (truncated or corrupt data) fails the frame anyway; stopping at once bounds the work on junk.
        _flags = FlagStopOnWarning | (fastDct ? FlagFastDct : 0);
        _decompressor = CreateDecompressor();
    }

    /// <summary>Why the last <see cref="TryDecode"/> returned false.</summary>
    public string? LastError { get; private set; }

    /// <summary>Subsampling of the last JPEG read (TJSAMP_*), for diagnostics and tests.</summary>
    public int LastSubsampling { get; private set; } = -1;

    /// <summary>Decodes <paramref name="jpeg"/> into <paramref name="target"/> (resized to the JPEG's size). Never throws on bad data.</summary>
    public unsafe bool TryDecode(ReadOnlySpan<byte> jpeg, I420Buffer target)
    {
        ObjectDisposedException.ThrowIf(_decompressor.IsClosed, this);
        LastError = null;
        LastSubsampling = -1;
        if (jpeg.Length < 4)
        {
            return Fail("JPEG too short");
        }

        fixed (byte* src = jpeg)
        {
            int width, height, subsamp, colorspace;
            if (Native.tjDecompressHeader3(_decompressor, src, new CULong((nuint)jpeg.Length), &width, &height, &subsamp, &colorspace) != 0)
            {
                return Fail("bad JPEG header: " + ErrorOf(_decompressor));
            }
            if (width < 1 || height < 1 || width > MaxDimension || height > MaxDimension)
            {
                return Fail($"unsupported JPEG size {width}x{height}");
            }
            LastSubsampling = subsamp;
            target.Resize(width, height);

            fixed (byte* dst = target.Data)
            {
                var ok = (subsamp, colorspace) switch
                {
                    (SubsampYuv420, ColorspaceYCbCr) => DecodePlanes(src, jpeg.Length, target, dst, grayOnly: false),
                    (SubsampGray, ColorspaceGray) => DecodePlanes(src, jpeg.Length, target, dst, grayOnly: true),
                    _ => DecodeThroughBgrx(src, jpeg.Length, target, dst),
                };
                if (ok)
                {
                    PadOddEdges(target);
                }
                return ok;
            }
        }
    }

    private unsafe bool DecodePlanes(byte* src, int length, I420Buffer target, byte* dst, bool grayOnly)
    {
        var planes = stackalloc byte*[3];
        var strides = stackalloc int[3];
        planes[0] = dst;
        planes[1] = grayOnly ? null : dst + target.OffsetU;
        planes[2] = grayOnly ? null : dst + target.OffsetV;
        strides[0] = target.StrideY;
        strides[1] = target.StrideUV;
        strides[2] = target.StrideUV;
        if (Native.tjDecompressToYUVPlanes(_decompressor, src, new CULong((nuint)length), planes, target.Width, strides, target.Height, _flags) != 0)
        {
            return Fail("JPEG decode failed: " + ErrorOf(_decompressor));
        }
        if (grayOnly)
        {
            // Neutral chroma turns the luma-only picture into grey I420.
            target.PlaneU.Fill(128);
            target.PlaneV.Fill(128);
        }
        return true;
    }

    private unsafe bool DecodeThroughBgrx(byte* src, int length, I420Buffer target, byte* dst)
    {
        var pitch = target.Width * 4;
        var needed = pitch * target.Height;
        if (_packed.Length < needed)
        {
            _packed = GC.AllocateUninitializedArray<byte>(needed);
        }
        if (_compressor is null)
        {
            _compressor = Native.tjInitCompress();
            if (_compressor.IsInvalid)
            {
                _compressor = null;
                return Fail("tjInitCompress failed: " + Native.LastGlobalError());
            }
        }

        fixed (byte* packed = _packed)
        {
            if (Native.tjDecompress2(_decompressor, src, new CULong((nuint)length), packed, target.Width, pitch, target.Height, PixelFormatBgrx, _flags) != 0)
            {
                return Fail("JPEG decode failed: " + ErrorOf(_decompressor));
            }
            var planes = stackalloc byte*[3];
            var strides = stackalloc int[3];
            planes[0] = dst;
            planes[1] = dst + target.OffsetU;
            planes[2] = dst + target.OffsetV;
            strides[0] = target.StrideY;
            strides[1] = target.StrideUV;
            strides[2] = target.StrideUV;
            if (Native.tjEncodeYUVPlanes(_compressor, packed, target.Width, pitch, target.Height, PixelFormatBgrx, planes, strides, SubsampYuv420, 0) != 0)
            {
                return Fail("RGB to I420 conversion failed: " + ErrorOf(_compressor));
            }
        }
        return true;
    }

    /// <summary>For odd sizes libvpx reads the even-rounded luma area, so fill the spare column and row.</summary>
    private static void PadOddEdges(I420Buffer target)
    {
        var y = target.PlaneY;
        var stride = target.StrideY;
        if ((target.Width & 1) != 0)
        {
            for (var row = 0; row < target.Height; row++)
            {
                y[(row * stride) + target.Width] = y[(row * stride) + target.Width - 1];
            }
        }
        if ((target.Height & 1) != 0)
        {
            y.Slice((target.Height - 1) * stride, stride).CopyTo(y.Slice(target.Height * stride, stride));
        }
    }

    private bool Fail(string error)
    {
        LastError = error;
        // libjpeg-turbo 2.1 keeps a warning flag in the handle that makes later calls fail too: start afresh.
        var fresh = CreateDecompressor();
        _decompressor.Dispose();
        _decompressor = fresh;
        return false;
    }

    private static TurboJpegHandle CreateDecompressor()
    {
        var handle = Native.tjInitDecompress();
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new InvalidOperationException("tjInitDecompress failed: " + Native.LastGlobalError());
        }
        return handle;
    }

    private static string ErrorOf(TurboJpegHandle handle) =>
        Marshal.PtrToStringUTF8(Native.tjGetErrorStr2(handle)) ?? "unknown error";

    public void Dispose()
    {
        _decompressor.Dispose();
        _compressor?.Dispose();
    }

    private sealed class TurboJpegHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
    {
        protected override bool ReleaseHandle() => Native.tjDestroy(handle) == 0;
    }

    private static unsafe partial class Native
    {
        private const string Lib = "libturbojpeg.so.0";

        [LibraryImport(Lib)]
        public static partial TurboJpegHandle tjInitDecompress();

        [LibraryImport(Lib)]
        public static partial TurboJpegHandle tjInitCompress();

        [LibraryImport(Lib)]
        public static partial int tjDestroy(nint handle);

        [LibraryImport(Lib)]
        public static partial int tjDecompressHeader3(TurboJpegHandle handle, byte* jpegBuf, CULong jpegSize, int* width, int* height, int* jpegSubsamp, int* jpegColorspace);

        [LibraryImport(Lib)]
        public static partial int tjDecompressToYUVPlanes(TurboJpegHandle handle, byte* jpegBuf, CULong jpegSize, byte** dstPlanes, int width, int* strides, int height, int flags);

        [LibraryImport(Lib)]
        public static partial int tjDecompress2(TurboJpegHandle handle, byte* jpegBuf, CULong jpegSize, byte* dstBuf, int width, int pitch, int height, int pixelFormat, int flags);

        [LibraryImport(Lib)]
        public static partial int tjEncodeYUVPlanes(TurboJpegHandle handle, byte* srcBuf, int width, int pitch, int height, int pixelFormat, byte** dstPlanes, int* strides, int subsamp, int flags);

        [LibraryImport(Lib)]
        public static partial nint tjGetErrorStr2(TurboJpegHandle handle);

        [LibraryImport(Lib, EntryPoint = "tjGetErrorStr2")]
        private static partial nint tjGetGlobalErrorStr(nint handle);

        public static string LastGlobalError() => Marshal.PtrToStringUTF8(tjGetGlobalErrorStr(0)) ?? "unknown error";
    }
}
