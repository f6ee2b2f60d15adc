namespace BrowserIsolation.Runner.Audio;

/// <summary>Configuration section <c>Audio</c>: the runner's sound server and its Opus stream.</summary>
public sealed class AudioOptions
{
    public const string SectionName = "Audio";

    /// <summary>Capture the page's sound (needs PulseAudio); off means Chromium runs muted.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The sound server binary, started per runner with a null sink in the runner's work directory.</summary>
    public string SoundServerPath { get; set; } = "pulseaudio";

    /// <summary>Opus target in bit/s (stereo; 64 kbit/s is transparent for most web audio).</summary>
    public int Bitrate { get; set; } = 64_000;

    public int Channels { get; set; } = 2;

    /// <summary>0-10; with DTX at least 7 (see <see cref="OpusEncoder.MinComplexityWithDtx"/>): about 0.2 ms per frame here.</summary>
    public int Complexity { get; set; } = 7;

    /// <summary>The loss in-band FEC is tuned for (percent).</summary>
    public int ExpectedLossPercent { get; set; } = 10;

    public bool Fec { get; set; } = true;

    /// <summary>Discontinuous transmission: silence sends a packet every 400 ms instead of every 20 ms.</summary>
    public bool Dtx { get; set; } = true;

    /// <summary>How long the sound server may take to open its socket.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Samples per channel in one 20 ms Opus frame at 48 kHz.</summary>
    public const int FrameSamples = 960;
}
