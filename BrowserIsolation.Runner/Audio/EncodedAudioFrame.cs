namespace BrowserIsolation.Runner.Audio;

/// <summary>
/// One 20 ms Opus packet of the session's sound. <see cref="SampleTime"/> counts 48 kHz samples on the same clock as
/// <see cref="CapturedAt"/> (Stopwatch ticks when its first sample was played), so audio and video map to one
/// timeline. <see cref="Resumed"/> marks the first packet after a gap (DTX silence, a pause): RTP's marker bit.
/// </summary>
public sealed record EncodedAudioFrame(byte[] Data, long SampleTime, long CapturedAt, bool Resumed)
{
    public const int Samples = AudioOptions.FrameSamples;
}
