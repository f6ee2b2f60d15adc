using System.Runtime.InteropServices;

namespace BrowserIsolation.Runner.Audio;

/// <summary>
/// libopus (Debian's libopus0) as WebRTC wants it: 48 kHz, 20 ms frames of interleaved 16-bit PCM, in-band FEC
/// tuned to an expected loss, and DTX so a silent page costs almost nothing. Not thread-safe: one encode thread.
/// </summary>
public sealed partial class OpusEncoder : IDisposable
{
    public const int SampleRate = 48_000;

    /// <summary>The largest packet we ask for; RFC 7587 frames are far smaller at our bitrates.</summary>
    public const int MaxPacketSize = 1275;

    private const int ApplicationAudio = 2049;
    private const int SetBitrateRequest = 4002;
    private const int SetComplexityRequest = 4010;
    private const int SetInbandFecRequest = 4012;
    private const int SetPacketLossPercRequest = 4014;
    private const int SetDtxRequest = 4016;
    private const int GetInDtxRequest = 4049;

    /// <summary>
    /// libopus runs its signal analysis from complexity 7 up; below that DTX takes a steady tone (a held note, a test
    /// beep) for silence and drops it, so DTX raises the complexity to this.
    /// </summary>
    public const int MinComplexityWithDtx = 7;

    private nint _encoder;

    public OpusEncoder(int channels, int bitrate, int complexity, int expectedLossPercent, bool fec, bool dtx)
    {
        if (channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Opus here is mono or stereo");
        }
        Channels = channels;
        _encoder = Native.opus_encoder_create(SampleRate, channels, ApplicationAudio, out var error);
        if (_encoder == 0 || error != 0)
        {
            throw new InvalidOperationException("opus_encoder_create failed: " + ErrorText(error));
        }
        try
        {
            Set(SetBitrateRequest, bitrate);
            Set(SetComplexityRequest, Math.Clamp(dtx ? Math.Max(complexity, MinComplexityWithDtx) : complexity, 0, 10));
            Set(SetInbandFecRequest, fec ? 1 : 0);
            Set(SetPacketLossPercRequest, Math.Clamp(expectedLossPercent, 0, 100));
            Set(SetDtxRequest, dtx ? 1 : 0);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Channels { get; }

    /// <summary>True when the last frame was coded as silence (DTX): such a frame need not be sent.</summary>
    public bool InDtx
    {
        get
        {
            ObjectDisposedException.ThrowIf(_encoder == 0, this);
            return Native.opus_encoder_ctl_get(_encoder, GetInDtxRequest, out var value) == 0 && value != 0;
        }
    }

    /// <summary>Encodes one frame (samples per channel: 120..2880 at 48 kHz) into <paramref name="packet"/>; returns its length.</summary>
    public int Encode(ReadOnlySpan<short> interleaved, Span<byte> packet)
    {
        ObjectDisposedException.ThrowIf(_encoder == 0, this);
        var frameSize = interleaved.Length / Channels;
        if (frameSize * Channels != interleaved.Length || frameSize is < 120 or > 2880)
        {
            throw new ArgumentException("a frame is 2.5 to 60 ms of whole interleaved samples", nameof(interleaved));
        }
        var length = Native.opus_encode(_encoder, in MemoryMarshal.GetReference(interleaved), frameSize,
            ref MemoryMarshal.GetReference(packet), Math.Min(packet.Length, MaxPacketSize));
        return length >= 0 ? length : throw new InvalidOperationException("opus_encode failed: " + ErrorText(length));
    }

    public void Dispose()
    {
        var encoder = Interlocked.Exchange(ref _encoder, 0);
        if (encoder != 0)
        {
            Native.opus_encoder_destroy(encoder);
        }
    }

    private void Set(int request, int value)
    {
        var result = Native.opus_encoder_ctl(_encoder, request, value);
        if (result != 0)
        {
            throw new InvalidOperationException($"opus_encoder_ctl({request}, {value}) failed: {ErrorText(result)}");
        }
    }

    internal static string ErrorText(int error) => Marshal.PtrToStringUTF8(Native.opus_strerror(error)) ?? error.ToString();

    private static partial class Native
    {
        private const string Lib = "libopus.so.0";

        [LibraryImport(Lib)]
        internal static partial nint opus_encoder_create(int fs, int channels, int application, out int error);

        [LibraryImport(Lib)]
        internal static partial void opus_encoder_destroy(nint encoder);

        [LibraryImport(Lib)]
        internal static partial int opus_encode(nint encoder, in short pcm, int frameSize, ref byte data, int maxDataBytes);

        // opus_encoder_ctl is variadic; on x64 System V an int (or pointer) argument travels in the same register
        // either way, which is how every binding calls it.
        [LibraryImport(Lib)]
        internal static partial int opus_encoder_ctl(nint encoder, int request, int value);

        [LibraryImport(Lib, EntryPoint = "opus_encoder_ctl")]
        internal static partial int opus_encoder_ctl_get(nint encoder, int request, out int value);

        [LibraryImport(Lib)]
        internal static partial nint opus_strerror(int error);
    }
}
