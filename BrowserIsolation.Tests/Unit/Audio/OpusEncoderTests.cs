using BrowserIsolation.Runner.Audio;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Unit.Audio;

/// <summary>Our libopus encoder against libopus's decoder: a tone survives, silence costs next to nothing (DTX).</summary>
public class OpusEncoderTests(ITestOutputHelper output)
{
    [Fact]
    public void ATone440HzComesBackAs440Hz()
    {
        using var encoder = new OpusEncoder(2, 64_000, 5, 10, fec: true, dtx: true);
        using var decoder = new OpusTestDecoder();
        var packet = new byte[OpusEncoder.MaxPacketSize];
        var decoded = new List<short>();
        var bytes = 0;
        for (var frame = 0; frame < 50; frame++)
        {
            var length = encoder.Encode(Tone.Sine(440, 0.5, 960, frame * 960), packet);
            Assert.True(length > 2, $"frame {frame}: {length} bytes for a tone");
            bytes += length;
            decoded.AddRange(decoder.Decode(packet[..length]));
        }
        var tail = decoded.ToArray()[(decoded.Count / 2)..];
        var at440 = Tone.Amplitude(tail, 440);
        var at1000 = Tone.Amplitude(tail, 1000);
        output.WriteLine($"1 s of 440 Hz: {bytes} bytes ({bytes * 8 / 1000.0:F1} kbit/s); amplitude at 440 Hz {at440:F3}, at 1 kHz {at1000:F4}");
        Assert.InRange(at440, 0.35, 0.65);
        Assert.True(at1000 < 0.02, $"1 kHz amplitude {at1000}");
    }

    [Theory]
    [InlineData(5, 0.3)]
    [InlineData(7, 0.05)]
    public void DtxNeverDropsASteadyTone(int complexity, double amplitude)
    {
        // At complexity 5 libopus skips its analysis and DTX took 904 of 1000 frames of a 440 Hz tone for silence.
        using var encoder = new OpusEncoder(2, 64_000, complexity, 10, fec: true, dtx: true);
        var packet = new byte[OpusEncoder.MaxPacketSize];
        var dropped = 0;
        for (var frame = 0; frame < 1000; frame++) // 20 s
        {
            if (encoder.Encode(Tone.Sine(440, amplitude, 960, frame * 960), packet) <= 2)
            {
                dropped++;
            }
        }
        Assert.Equal(0, dropped);
    }

    [Fact]
    public void SilenceGoesToDtxAndCostsAlmostNothing()
    {
        using var encoder = new OpusEncoder(2, 64_000, 5, 10, fec: true, dtx: true);
        var packet = new byte[OpusEncoder.MaxPacketSize];
        var silence = new short[960 * 2];
        var sent = 0;
        var bytes = 0;
        for (var frame = 0; frame < 500; frame++) // 10 s
        {
            var length = encoder.Encode(silence, packet);
            if (length > 2)
            {
                sent++;
                bytes += length;
            }
        }
        output.WriteLine($"10 s of silence: {sent} packets to send, {bytes} bytes; in DTX: {encoder.InDtx}");
        Assert.True(encoder.InDtx);
        Assert.True(sent < 60, $"{sent} packets in 10 s of silence");
    }

    [Fact]
    public void BadFramesAreRefusedClearly()
    {
        using var encoder = new OpusEncoder(2, 64_000, 5, 10, fec: true, dtx: true);
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[961], new byte[100]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpusEncoder(3, 64_000, 5, 10, true, true));
        encoder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => encoder.Encode(new short[1920], new byte[100]));
    }
}
