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
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (var step = 0; step < steps; step++)
        {
            var started = Stopwatch.GetTimestamp();
            decoder.TryDecode(frames[ScreencastFrames.PingPong(step, frames.Length)], picture);
            encoder.TryEncode(picture, step * 1500L, false, out var frame, out _);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            bytes += step >= 60 ? frame.Length : 0; // skip the first second (keyframe, rate control settling)
        }
        // CPU time per frame is what 60 fps costs in cores, and unlike wall time it barely moves when other work shares the machine.
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / steps;
        var mbps = bytes * 8.0 / ((steps - 60) / 60.0) / 1e6;
        Console.WriteLine($"cpu-used {cpuUsed,3}, threads {threads}, screen content {screen}: {mbps:F2} Mbit/s at 60 fps (target 2.5), " +
            $"wall median {times.Order().ElementAt(times.Count / 2):F2} ms/frame, min {times.Min():F2}, CPU {cpuMs:F2} ms/frame = {cpuMs * 60 / 1000:F2} cores at 60 fps");
    }
    return;
}

if (args.Contains("--decode"))
{
    // Accurate vs fast integer DCT, interleaved so that other load hits both alike; plus how far apart the pictures are.
    using var accurate = new TurboJpegDecoder(fastDct: false);
    using var fast = new TurboJpegDecoder(fastDct: true);
    var a = new I420Buffer();
    var f = new I420Buffer();
    var cpu = new double[2];
    double worstPsnr = 99;
    for (var round = 0; round < 5; round++)
    {
        foreach (var (decoder, target, slot) in new[] { (accurate, a, 0), (fast, f, 1) })
        {
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            foreach (var jpeg in frames)
            {
                decoder.TryDecode(jpeg, target);
            }
            cpu[slot] += (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMilliseconds;
        }
        accurate.TryDecode(frames[round], a);
        fast.TryDecode(frames[round], f);
        double squared = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = a.Data[i] - f.Data[i];
            squared += d * d;
        }
        worstPsnr = Math.Min(worstPsnr, 10 * Math.Log10(255.0 * 255 / Math.Max(1e-9, squared / a.Length)));
    }
    Console.WriteLine($"decode CPU ms/frame: accurate {cpu[0] / (5 * frames.Length):F2}, fast DCT {cpu[1] / (5 * frames.Length):F2}; fast vs accurate PSNR >= {worstPsnr:F1} dB");
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(DecodeEncodeBenchmarks).Assembly).Run(args);
