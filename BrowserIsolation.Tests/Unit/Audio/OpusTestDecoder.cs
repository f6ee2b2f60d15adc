using System.Runtime.InteropServices;

namespace BrowserIsolation.Tests.Unit.Audio;

/// <summary>libopus's decoder, so tests can hear what the runner encoded.</summary>
internal sealed partial class OpusTestDecoder : IDisposable
{
    private nint _decoder;

    public OpusTestDecoder(int channels = 2)
    {
        Channels = channels;
        _decoder = opus_decoder_create(48_000, channels, out var error);
        if (_decoder == 0 || error != 0)
        {
            throw new InvalidOperationException("opus_decoder_create failed: " + error);
        }
    }

    public int Channels { get; }

    /// <summary>Decodes one packet (or conceals a lost one when null) into interleaved samples.</summary>
    public short[] Decode(byte[]? packet, int frameSamples = 960)
    {
        var pcm = new short[frameSamples * Channels];
        var samples = packet is null
            ? opus_decode(_decoder, 0, 0, ref pcm[0], frameSamples, 0)
            : opus_decode(_decoder, ref packet[0], packet.Length, ref pcm[0], frameSamples, 0);
        return samples >= 0 ? pcm[..(samples * Channels)] : throw new InvalidOperationException("opus_decode failed: " + samples);
    }

    public void Dispose()
    {
        var decoder = Interlocked.Exchange(ref _decoder, 0);
        if (decoder != 0)
        {
            opus_decoder_destroy(decoder);
        }
    }

    [LibraryImport("libopus.so.0")]
    private static partial nint opus_decoder_create(int fs, int channels, out int error);

    [LibraryImport("libopus.so.0")]
    private static partial int opus_decode(nint decoder, ref byte data, int length, ref short pcm, int frameSize, int decodeFec);

    [LibraryImport("libopus.so.0", EntryPoint = "opus_decode")]
    private static partial int opus_decode(nint decoder, nint data, int length, ref short pcm, int frameSize, int decodeFec);

    [LibraryImport("libopus.so.0")]
    private static partial void opus_decoder_destroy(nint decoder);
}

/// <summary>What a stretch of sound contains: its level and the strength of one frequency (Goertzel).</summary>
internal static class Tone
{
    /// <summary>Root mean square of the first channel, 0..1.</summary>
    public static double Rms(ReadOnlySpan<short> interleaved, int channels = 2)
    {
        double sum = 0;
        var n = 0;
        for (var i = 0; i < interleaved.Length; i += channels, n++)
        {
            var x = interleaved[i] / 32768.0;
            sum += x * x;
        }
        return n == 0 ? 0 : Math.Sqrt(sum / n);
    }

    /// <summary>The amplitude (0..1) of <paramref name="hz"/> in the first channel.</summary>
    public static double Amplitude(ReadOnlySpan<short> interleaved, double hz, int channels = 2, int rate = 48_000)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * hz / rate);
        double s1 = 0, s2 = 0;
        var n = 0;
        for (var i = 0; i < interleaved.Length; i += channels, n++)
        {
            var s = (interleaved[i] / 32768.0) + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s;
        }
        var power = (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
        return n == 0 ? 0 : 2 * Math.Sqrt(Math.Max(power, 0)) / n;
    }

    /// <summary>Interleaved stereo 16-bit samples of a sine.</summary>
    public static short[] Sine(double hz, double amplitude, int samples, int offset = 0, int channels = 2)
    {
        var pcm = new short[samples * channels];
        for (var i = 0; i < samples; i++)
        {
            var v = (short)(amplitude * 32767 * Math.Sin(2 * Math.PI * hz * (i + offset) / 48_000));
            for (var c = 0; c < channels; c++)
            {
                pcm[(i * channels) + c] = v;
            }
        }
        return pcm;
    }
}
