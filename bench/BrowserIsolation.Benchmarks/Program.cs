using System.Diagnostics;
using BenchmarkDotNet.Running;
using BrowserIsolation.Benchmarks;
using BrowserIsolation.Runner.Media;

// Capture (or reuse) real screencast frames, then run the benchmarks; every benchmark process reads the same files.
var directory = await ScreencastFrames.EnsureCapturedAsync(count: 240);
Environment.SetEnvironmentVariable(ScreencastFrames.DirectoryVariable, directory);
var frames = ScreencastFrames.Load();
Console.WriteLine($"screencast input {directory}: {ScreencastFrames.Describe(frames)}");

if (args.Contains("--bitrate"))
{
    // What each setting sends: bytes produced over the sequence replayed at 60 fps, plus median ms per frame.
    foreach (var (cpuUsed, threads, screen) in from c in new[] { -6, -16 } from t in new[] { 1, 2 } from s in new[] { 0, 1 } select (c, t, s))
    {
        using var decoder = new TurboJpegDecoder();
        using var encoder = new Vp8Encoder(new VideoOptions { Bitrate = 2_500_000, MaxFps = 60, CpuUsed = cpuUsed, Threads = threads, ScreenContentMode = screen });
        var picture = new I420Buffer();
        var bytes = 0L;
        var times = new List<double>();
        const int steps = 600;
        for (var step = 0; step < steps; step++)
        {
            var started = Stopwatch.GetTimestamp();
            decoder.TryDecode(frames[ScreencastFrames.PingPong(step, frames.Length)], picture);
            encoder.TryEncode(picture, step * 1500L, false, out var frame, out _);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            bytes += step >= 60 ? frame.Length : 0; // skip the first second (keyframe, rate control settling)
        }
        var mbps = bytes * 8.0 / ((steps - 60) / 60.0) / 1e6;
        Console.WriteLine($"cpu-used {cpuUsed,3}, threads {threads}, screen content {screen}: {mbps:F2} Mbit/s at 60 fps (target 2.5), median {times.Order().ElementAt(times.Count / 2):F2} ms/frame");
    }
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(DecodeEncodeBenchmarks).Assembly).Run(args);
