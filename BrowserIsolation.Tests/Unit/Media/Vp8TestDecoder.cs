using System.Runtime.InteropServices;

namespace BrowserIsolation.Tests.Unit.Media;

/// <summary>libvpx's VP8 decoder (vpx_codec_vp8_dx, decoder ABI 12), to prove the encoder's output decodes.</summary>
internal sealed unsafe partial class Vp8TestDecoder : IDisposable
{
    private const int DecoderAbiVersion = 12;
    private readonly void* _context = NativeMemory.AllocZeroed(56);

    public Vp8TestDecoder()
    {
        var result = vpx_codec_dec_init_ver(_context, vpx_codec_vp8_dx(), null, new CLong(0), DecoderAbiVersion);
        Assert.True(result == 0, $"vpx_codec_dec_init_ver failed: {result}");
    }

    /// <summary>Decodes one frame; returns the picture as tightly packed I420, or fails the test.</summary>
    public DecodedPicture Decode(byte[] frame)
    {
        fixed (byte* data = frame)
        {
            var result = vpx_codec_decode(_context, data, (uint)frame.Length, null, new CLong(0));
            Assert.True(result == 0, $"vpx_codec_decode failed: {result} {Marshal.PtrToStringUTF8(vpx_codec_error(_context))}");
        }
        void* iterator = null;
        var image = (byte*)vpx_codec_get_frame(_context, &iterator);
        Assert.True(image != null, "the decoder produced no picture");
        // vpx_image_t: fmt at 0, d_w at 24, d_h at 28, planes at 48, stride at 80 (x64, libvpx 1.12).
        Assert.Equal(0x102, *(int*)image);
        var width = *(int*)(image + 24);
        var height = *(int*)(image + 28);
        var planes = (byte**)(image + 48);
        var strides = (int*)(image + 80);
        return new DecodedPicture(width, height,
            Copy(planes[0], strides[0], width, height),
            Copy(planes[1], strides[1], (width + 1) / 2, (height + 1) / 2),
            Copy(planes[2], strides[2], (width + 1) / 2, (height + 1) / 2));
    }

    private static byte[] Copy(byte* plane, int stride, int width, int height)
    {
        var result = new byte[width * height];
        for (var row = 0; row < height; row++)
        {
            new ReadOnlySpan<byte>(plane + ((long)row * stride), width).CopyTo(result.AsSpan(row * width));
        }
        return result;
    }

    public void Dispose()
    {
        _ = vpx_codec_destroy(_context);
        NativeMemory.Free(_context);
    }

    [LibraryImport("libvpx.so.7")]
    private static partial void* vpx_codec_vp8_dx();

    [LibraryImport("libvpx.so.7")]
    private static partial int vpx_codec_dec_init_ver(void* ctx, void* iface, void* cfg, CLong flags, int ver);

    [LibraryImport("libvpx.so.7")]
    private static partial int vpx_codec_decode(void* ctx, byte* data, uint size, void* userPriv, CLong deadline);

    [LibraryImport("libvpx.so.7")]
    private static partial void* vpx_codec_get_frame(void* ctx, void** iterator);

    [LibraryImport("libvpx.so.7")]
    private static partial nint vpx_codec_error(void* ctx);

    [LibraryImport("libvpx.so.7")]
    private static partial int vpx_codec_destroy(void* ctx);
}

/// <summary>A decoded picture as packed planes (Y: width x height, U and V: half size rounded up).</summary>
internal sealed record DecodedPicture(int Width, int Height, byte[] Y, byte[] U, byte[] V);
