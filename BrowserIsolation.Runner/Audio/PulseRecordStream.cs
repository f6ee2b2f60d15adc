using System.Runtime.InteropServices;

namespace BrowserIsolation.Runner.Audio;

/// <summary>
/// A blocking record stream from a PulseAudio source (libpulse-simple from Debian's libpulse0): interleaved 16-bit
/// PCM at 48 kHz with a fragment of one frame, so each read returns as soon as one frame is there.
/// </summary>
public sealed partial class PulseRecordStream : IDisposable
{
    private const int StreamRecord = 2;
    private const int SampleS16Le = 3;

    private nint _stream;

    /// <param name="server">e.g. <c>unix:/path/to/native</c>.</param>
    /// <param name="source">The source to record, e.g. a null sink's <c>.monitor</c>.</param>
    public PulseRecordStream(string server, string source, int channels, int frameSamples)
    {
        var spec = new SampleSpec { Format = SampleS16Le, Rate = OpusEncoder.SampleRate, Channels = (byte)channels };
        var fragment = (uint)(frameSamples * channels * sizeof(short));
        var attributes = new BufferAttributes { MaxLength = uint.MaxValue, TLength = uint.MaxValue, Prebuf = uint.MaxValue, MinReq = uint.MaxValue, FragSize = fragment };
        _stream = Native.pa_simple_new(server, "BrowserIsolation runner", StreamRecord, source, "page audio", in spec, 0, in attributes, out var error);
        if (_stream == 0)
        {
            throw new IOException($"PulseAudio record stream on {server} ({source}) failed: {ErrorText(error)}");
        }
    }


    /// <summary>Fills <paramref name="interleaved"/> completely, blocking until the samples are there.</summary>
    public void Read(Span<short> interleaved)
    {
        var stream = Volatile.Read(ref _stream);
        ObjectDisposedException.ThrowIf(stream == 0, this);
        if (Native.pa_simple_read(stream, ref MemoryMarshal.GetReference(MemoryMarshal.AsBytes(interleaved)),
                (nuint)(interleaved.Length * sizeof(short)), out var error) < 0)
        {
            throw new IOException("PulseAudio read failed: " + ErrorText(error));
        }
    }

    public void Dispose()
    {
        var stream = Interlocked.Exchange(ref _stream, 0);
        if (stream != 0)
        {
            Native.pa_simple_free(stream);
        }
    }

    private static string ErrorText(int error) => Marshal.PtrToStringUTF8(Native.pa_strerror(error)) ?? error.ToString();

    [StructLayout(LayoutKind.Sequential)]
    private struct SampleSpec
    {
        public int Format;
        public uint Rate;
        public byte Channels;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct BufferAttributes
    {
        public uint MaxLength;
        public uint TLength;
        public uint Prebuf;
        public uint MinReq;
        public uint FragSize;
    }

    private static partial class Native
    {
        private const string Simple = "libpulse-simple.so.0";
        private const string Pulse = "libpulse.so.0";

        [LibraryImport(Simple, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial nint pa_simple_new(string server, string name, int direction, string device, string streamName,
            in SampleSpec spec, nint channelMap, in BufferAttributes attributes, out int error);

        [LibraryImport(Simple)]
        internal static partial int pa_simple_read(nint stream, ref byte data, nuint bytes, out int error);

        [LibraryImport(Simple)]
        internal static partial void pa_simple_free(nint stream);

        [LibraryImport(Pulse)]
        internal static partial nint pa_strerror(int error);
    }
}
