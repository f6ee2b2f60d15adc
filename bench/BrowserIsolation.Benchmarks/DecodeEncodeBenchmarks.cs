using BenchmarkDotNet.Attributes;
using BrowserIsolation.Runner.Media;

namespace BrowserIsolation.Benchmarks;

/// <summary>
/// The runner's per-frame cost: one 1280x720 screencast JPEG decoded to I420 (libturbojpeg) and encoded to VP8
/// (libvpx, realtime, CBR 2.5 Mbit/s, error resilient), frames in capture order as the pipeline sees them at 60 fps.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
[MinColumn, MedianColumn]
public class DecodeEncodeBenchmarks
{
    private byte[][] _frames = [];
    private TurboJpegDecoder _decoder = null!;
    private Vp8Encoder _encoder = null!;
    private I420Buffer _picture = null!;
    private long _step;

    [Params(-6, -16)]
    public int CpuUsed { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frames = ScreencastFrames.Load();
        _decoder = new TurboJpegDecoder();
        _encoder = new Vp8Encoder(new VideoOptions { Bitrate = 2_500_000, MaxFps = 60, CpuUsed = CpuUsed, Threads = Threads });
        _picture = new I420Buffer();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encoder.Dispose();
        _decoder.Dispose();
    }

    /// <summary>Decode + encode of the next frame: what one 60 fps frame costs the runner.</summary>
    [Benchmark]
    public int DecodeAndEncode()
    {
        var step = _step++;
        var jpeg = _frames[ScreencastFrames.PingPong(step, _frames.Length)];
        if (!_decoder.TryDecode(jpeg, _picture))
        {
            throw new InvalidOperationException(_decoder.LastError);
        }
        _encoder.TryEncode(_picture, step * 1500, forceKeyframe: false, out var frame, out _);
        return frame.Length;
    }
}
