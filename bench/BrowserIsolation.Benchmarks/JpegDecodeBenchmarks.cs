using BenchmarkDotNet.Attributes;
using BrowserIsolation.Runner.Media;

namespace BrowserIsolation.Benchmarks;

/// <summary>The decode half alone: screencast JPEG to I420, accurate or fast integer DCT.</summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
[MinColumn, MedianColumn]
public class JpegDecodeBenchmarks
{
    private byte[][] _frames = [];
    private TurboJpegDecoder _decoder = null!;
    private I420Buffer _picture = null!;
    private long _step;

    [Params(false, true)]
    public bool FastDct { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frames = ScreencastFrames.Load();
        _decoder = new TurboJpegDecoder(FastDct);
        _picture = new I420Buffer();
    }

    [GlobalCleanup]
    public void Cleanup() => _decoder.Dispose();

    [Benchmark]
    public bool Decode() => _decoder.TryDecode(_frames[_step++ % _frames.Length], _picture);
}
