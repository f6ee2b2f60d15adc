namespace BrowserIsolation.Runner.Media;

/// <summary>Video encoding settings, bound from the configuration section <c>Media</c>.</summary>
public sealed class VideoOptions
{
    public const string SectionName = "Media";

    /// <summary>Start bitrate in bit/s; congestion control moves it between <see cref="MinBitrate"/> and <see cref="MaxBitrate"/>.</summary>
    public int Bitrate { get; set; } = 2_500_000;

    public int MinBitrate { get; set; } = 300_000;

    public int MaxBitrate { get; set; } = 6_000_000;

    /// <summary>Frames per second the pipeline encodes at most; newer frames replace waiting ones.</summary>
    public int MaxFps { get; set; } = 60;

    /// <summary>Longest distance between keyframes, in frames (libvpx kf_max_dist).</summary>
    public int KeyframeInterval { get; set; } = 600;

    /// <summary>Shortest time between two forced keyframes; PLI/FIR storms coalesce into one.</summary>
    public int KeyframeMinIntervalMs { get; set; } = 250;

    /// <summary>VP8 cpu-used. Negative fixes the realtime speed (-16 fastest); positive lets libvpx adapt (slower).</summary>
    public int CpuUsed { get; set; } = -6;

    /// <summary>Encoder threads (libvpx g_threads).</summary>
    public int Threads { get; set; } = 1;

    /// <summary>When no new frame arrives for this long, the last picture is encoded again at this interval.</summary>
    public int StaticRepeatMs { get; set; } = 500;

    /// <summary>VP8 screen content mode (0 off, 1 on, 2 on with aggressive rate control). Off by default: on
    /// screencast input it gave no bitrate gain and no reliable speed gain (bench/ --bitrate).</summary>
    public int ScreenContentMode { get; set; }

    /// <summary>
    /// libvpx may skip a frame when its buffer runs this many percent below optimal (rc_dropframe_thresh, 0 = never):
    /// under congestion a skipped frame beats a late one. A skipped frame is not an error: the stream goes on.
    /// </summary>
    public int DropFrameThreshold { get; set; }

    /// <summary>Returns the options with every value forced into a range libvpx accepts.</summary>
    public VideoOptions Normalized()
    {
        var min = Math.Clamp(MinBitrate, 50_000, 100_000_000);
        var max = Math.Clamp(MaxBitrate, min, 100_000_000);
        return new VideoOptions
        {
            MinBitrate = min,
            MaxBitrate = max,
            Bitrate = Math.Clamp(Bitrate, min, max),
            MaxFps = Math.Clamp(MaxFps, 1, 120),
            KeyframeInterval = Math.Clamp(KeyframeInterval, 1, 100_000),
            KeyframeMinIntervalMs = Math.Clamp(KeyframeMinIntervalMs, 20, 10_000),
            CpuUsed = Math.Clamp(CpuUsed, -16, 16),
            Threads = Math.Clamp(Threads, 1, 16),
            StaticRepeatMs = Math.Clamp(StaticRepeatMs, 50, 60_000),
            ScreenContentMode = Math.Clamp(ScreenContentMode, 0, 2),
            DropFrameThreshold = Math.Clamp(DropFrameThreshold, 0, 100),
        };
    }
}
