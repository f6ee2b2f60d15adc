using System.Runtime.InteropServices;

namespace BrowserIsolation.Runner.Media;

/// <summary>
/// Realtime VP8 encoder over libvpx 1.12 (libvpx.so.7, encoder ABI 25): CBR, error resilient, no lag,
/// fixed negative cpu-used, keyframes on demand. Not thread-safe: one thread encodes.
/// The encoder is created on the first picture and recreated when the picture size changes.
/// </summary>
public sealed unsafe partial class Vp8Encoder : IDisposable
{
    private const int EncoderAbiVersion = 25;
    private const int ImgFmtI420 = 0x102;
    private const int CbrMode = 1;
    private const int ErrorResilientDefault = 1;
    private const int KfModeAuto = 1;
    private const long ForceKeyframeFlag = 1;
    private const ulong RealtimeDeadline = 1;
    private const int PacketKindFrame = 0;
    private const uint FrameIsKey = 1;

    private const int CtrlCpuUsed = 13;
    private const int CtrlNoiseSensitivity = 15;
    private const int CtrlStaticThreshold = 17;
    private const int CtrlMaxIntraBitratePct = 26;
    private const int CtrlScreenContentMode = 31;

    private const int ContextSize = 56;
    private const int ImageSize = 136;

    private readonly VideoOptions _options;
    private readonly long _frameDuration;
    private void* _context;
    private EncoderConfig* _config;
    private void* _image;
    private long _lastPts = long.MinValue;
    private int _bitrate;

    public Vp8Encoder(VideoOptions options)
    {
        _options = options.Normalized();
        _bitrate = _options.Bitrate;
        _frameDuration = Math.Max(1, 90_000 / _options.MaxFps);
    }

    /// <summary>Size the encoder is configured for; 0 before the first picture.</summary>
    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>Current target in bit/s.</summary>
    public int Bitrate => _bitrate;

    /// <summary>Changes the CBR target at once (vpx_codec_enc_config_set); clamped to the configured range.</summary>
    public void SetBitrate(int bitsPerSecond)
    {
        var clamped = Math.Clamp(bitsPerSecond, _options.MinBitrate, _options.MaxBitrate);
        if (clamped == _bitrate)
        {
            return;
        }
        _bitrate = clamped;
        if (_context is null)
        {
            return;
        }
        _config->TargetBitrateKbps = (uint)(clamped / 1000);
        Check(Native.vpx_codec_enc_config_set(_context, _config), "vpx_codec_enc_config_set");
    }

    /// <summary>
    /// Encodes one picture. <paramref name="pts90k"/> is the capture time on a 90 kHz clock; it drives rate control,
    /// so it must be real time (it is forced to increase). Returns false when libvpx produced no frame.
    /// Throws <see cref="InvalidOperationException"/> on an encoder error.
    /// </summary>
    public bool TryEncode(I420Buffer picture, long pts90k, bool forceKeyframe, out byte[] frame, out bool isKeyframe)
    {
        frame = [];
        isKeyframe = false;
        if (_context is null || picture.Width != Width || picture.Height != Height)
        {
            Open(picture.Width, picture.Height);
        }

        fixed (byte* data = picture.Data)
        {
            // libvpx 1.12 wraps odd sizes with a chroma stride too small (33 wide -> 16); wrap the even-rounded
            // storage and then narrow the visible rectangle, which keeps the I420Buffer layout.
            if (Native.vpx_img_wrap(_image, ImgFmtI420, (uint)picture.StrideY, (uint)((picture.Height + 1) & ~1), 1, data) is null
                || Native.vpx_img_set_rect(_image, 0, 0, (uint)picture.Width, (uint)picture.Height) != 0)
            {
                throw new InvalidOperationException("vpx_img_wrap failed");
            }
            CheckLayout(picture, data);

            var pts = pts90k > _lastPts ? pts90k : _lastPts + 1;
            _lastPts = pts;
            var flags = forceKeyframe ? ForceKeyframeFlag : 0;
            Check(Native.vpx_codec_encode(_context, _image, pts, new CULong((nuint)_frameDuration), new CLong((nint)flags), new CULong((nuint)RealtimeDeadline)), "vpx_codec_encode");
        }

        // With lag 0 there is one frame packet per call; concatenate defensively if libvpx ever splits it.
        void* iterator = null;
        byte[]? result = null;
        CxPacket* packet;
        while ((packet = Native.vpx_codec_get_cx_data(_context, &iterator)) is not null)
        {
            if (packet->Kind != PacketKindFrame)
            {
                continue;
            }
            var size = checked((int)packet->Size);
            var source = new ReadOnlySpan<byte>(packet->Buffer, size);
            if (result is null)
            {
                result = source.ToArray();
            }
            else
            {
                var merged = new byte[result.Length + size];
                result.CopyTo(merged, 0);
                source.CopyTo(merged.AsSpan(result.Length));
                result = merged;
            }
            isKeyframe |= (packet->Flags & FrameIsKey) != 0;
        }
        if (result is null)
        {
            return false;
        }
        frame = result;
        return true;
    }

    private void Open(int width, int height)
    {
        Close();
        _context = NativeMemory.AllocZeroed(ContextSize);
        _config = (EncoderConfig*)NativeMemory.AllocZeroed((nuint)sizeof(EncoderConfig));
        _image = NativeMemory.AllocZeroed(ImageSize);
        try
        {
            var iface = Native.vpx_codec_vp8_cx();
            Check(Native.vpx_codec_enc_config_default(iface, _config, 0), "vpx_codec_enc_config_default");
            // The defaults are known; if they read wrong, our offsets do not match this libvpx.
            if (_config->Width != 320 || _config->Height != 240 || _config->TimebaseNum != 1 || _config->TimebaseDen != 30 || _config->TargetBitrateKbps != 256)
            {
                throw new InvalidOperationException("libvpx vpx_codec_enc_cfg_t layout does not match ABI 25 (expected defaults 320x240, 1/30, 256 kbps)");
            }

            _config->Threads = (uint)_options.Threads;
            _config->Width = (uint)width;
            _config->Height = (uint)height;
            _config->TimebaseNum = 1;
            _config->TimebaseDen = 90_000;
            _config->ErrorResilient = ErrorResilientDefault;
            _config->Pass = 0;
            _config->LagInFrames = 0;
            _config->DropframeThresh = (uint)_options.DropFrameThreshold;
            _config->ResizeAllowed = 0;
            _config->EndUsage = CbrMode;
            _config->TargetBitrateKbps = (uint)(_bitrate / 1000);
            _config->MinQuantizer = 2;
            _config->MaxQuantizer = 56;
            _config->UndershootPct = 100;
            _config->OvershootPct = 15;
            _config->BufferSizeMs = 1000;
            _config->BufferInitialMs = 500;
            _config->BufferOptimalMs = 600;
            _config->KfMode = KfModeAuto;
            _config->KfMinDist = 0;
            _config->KfMaxDist = (uint)_options.KeyframeInterval;

            Check(Native.vpx_codec_enc_init_ver(_context, iface, _config, new CLong(0), EncoderAbiVersion), "vpx_codec_enc_init_ver");
            Control(CtrlCpuUsed, _options.CpuUsed);
            Control(CtrlNoiseSensitivity, 0);
            // Skips macroblocks that did not change: most of a web page, most of the time.
            Control(CtrlStaticThreshold, 1);
            Control(CtrlScreenContentMode, _options.ScreenContentMode);
            // A keyframe may take this many percent of an average frame: bounds the burst after a PLI.
            Control(CtrlMaxIntraBitratePct, Math.Max(300, 600 / 2 * _options.MaxFps / 10));
            Width = width;
            Height = height;
            _lastPts = long.MinValue;
        }
        catch
        {
            Close();
            throw;
        }
    }

    private void Control(int id, int value) => Check(Native.vpx_codec_control_(_context, id, value), $"vpx_codec_control_({id}, {value})");

    private void CheckLayout(I420Buffer picture, byte* data)
    {
        var planes = (byte**)((byte*)_image + 48);
        var strides = (int*)((byte*)_image + 80);
        if (planes[0] != data || planes[1] != data + picture.OffsetU || planes[2] != data + picture.OffsetV
            || strides[0] != picture.StrideY || strides[1] != picture.StrideUV || strides[2] != picture.StrideUV)
        {
            throw new InvalidOperationException("vpx_img_wrap plane layout differs from I420Buffer");
        }
    }

    private void Check(int error, string call)
    {
        if (error == 0)
        {
            return;
        }
        var message = _context is null ? null : Marshal.PtrToStringUTF8(Native.vpx_codec_error(_context));
        var detail = _context is null ? null : Marshal.PtrToStringUTF8(Native.vpx_codec_error_detail(_context));
        throw new InvalidOperationException($"{call} failed ({error}): {message} {detail}".TrimEnd());
    }

    private void Close()
    {
        if (_context is not null)
        {
            // A context whose init failed has no iface set; destroy then only returns an error.
            _ = Native.vpx_codec_destroy(_context);
            NativeMemory.Free(_context);
            _context = null;
        }
        if (_config is not null)
        {
            NativeMemory.Free(_config);
            _config = null;
        }
        if (_image is not null)
        {
            NativeMemory.Free(_image);
            _image = null;
        }
        Width = 0;
        Height = 0;
    }

    public void Dispose()
    {
        Close();
        GC.SuppressFinalize(this);
    }

    ~Vp8Encoder() => Close();

    /// <summary>vpx_codec_enc_cfg_t (504 bytes on x64), only the fields we set. Offsets checked with gcc against vpx_encoder.h 1.12.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 504)]
    private struct EncoderConfig
    {
        [FieldOffset(4)] public uint Threads;
        [FieldOffset(12)] public uint Width;
        [FieldOffset(16)] public uint Height;
        [FieldOffset(28)] public int TimebaseNum;
        [FieldOffset(32)] public int TimebaseDen;
        [FieldOffset(36)] public uint ErrorResilient;
        [FieldOffset(40)] public int Pass;
        [FieldOffset(44)] public uint LagInFrames;
        [FieldOffset(48)] public uint DropframeThresh;
        [FieldOffset(52)] public uint ResizeAllowed;
        [FieldOffset(72)] public int EndUsage;
        [FieldOffset(112)] public uint TargetBitrateKbps;
        [FieldOffset(116)] public uint MinQuantizer;
        [FieldOffset(120)] public uint MaxQuantizer;
        [FieldOffset(124)] public uint UndershootPct;
        [FieldOffset(128)] public uint OvershootPct;
        [FieldOffset(132)] public uint BufferSizeMs;
        [FieldOffset(136)] public uint BufferInitialMs;
        [FieldOffset(140)] public uint BufferOptimalMs;
        [FieldOffset(160)] public int KfMode;
        [FieldOffset(164)] public uint KfMinDist;
        [FieldOffset(168)] public uint KfMaxDist;
    }

    /// <summary>vpx_codec_cx_pkt_t, frame member of the union.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 136)]
    private struct CxPacket
    {
        [FieldOffset(0)] public int Kind;
        [FieldOffset(8)] public byte* Buffer;
        [FieldOffset(16)] public nuint Size;
        [FieldOffset(40)] public uint Flags;
    }

    private static partial class Native
    {
        private const string Lib = "libvpx.so.7";

        [LibraryImport(Lib)]
        public static partial void* vpx_codec_vp8_cx();

        [LibraryImport(Lib)]
        public static partial int vpx_codec_enc_config_default(void* iface, EncoderConfig* cfg, uint usage);

        [LibraryImport(Lib)]
        public static partial int vpx_codec_enc_init_ver(void* ctx, void* iface, EncoderConfig* cfg, CLong flags, int ver);

        [LibraryImport(Lib)]
        public static partial int vpx_codec_enc_config_set(void* ctx, EncoderConfig* cfg);

        // Variadic in C; on x64 and arm64 System V an int vararg travels like a fixed int argument.
        [LibraryImport(Lib)]
        public static partial int vpx_codec_control_(void* ctx, int ctrlId, int value);

        [LibraryImport(Lib)]
        public static partial void* vpx_img_wrap(void* img, int fmt, uint width, uint height, uint strideAlign, byte* data);

        [LibraryImport(Lib)]
        public static partial int vpx_img_set_rect(void* img, uint x, uint y, uint width, uint height);

        [LibraryImport(Lib)]
        public static partial int vpx_codec_encode(void* ctx, void* img, long pts, CULong duration, CLong flags, CULong deadline);

        [LibraryImport(Lib)]
        public static partial CxPacket* vpx_codec_get_cx_data(void* ctx, void** iterator);

        [LibraryImport(Lib)]
        public static partial nint vpx_codec_error(void* ctx);

        [LibraryImport(Lib)]
        public static partial nint vpx_codec_error_detail(void* ctx);

        [LibraryImport(Lib)]
        public static partial int vpx_codec_destroy(void* ctx);
    }
}
