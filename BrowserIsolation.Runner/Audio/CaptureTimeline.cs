using System.Diagnostics;
using BrowserIsolation.Runner.Media;

namespace BrowserIsolation.Runner.Audio;

/// <summary>
/// Timestamps for captured frames. The sample count is the truth (exact 20 ms steps, as RTP wants); when the first
/// sample was played is estimated from the reads: each read returns no earlier than its last sample was played, so the
/// tightest of "read time minus the samples so far" is the best bound, and it only ever moves earlier. A read that
/// lags that bound by more than <see cref="MaxLag"/> means samples were lost (an overrun, a stall): the timeline
/// starts again from there and reports a gap.
/// </summary>
public sealed class CaptureTimeline(int sampleRate, int frameSamples)
{
    public static readonly TimeSpan MaxLag = TimeSpan.FromMilliseconds(200);

    private readonly long _frameTicks = Stopwatch.Frequency * frameSamples / sampleRate;
    private readonly long _maxLagTicks = (long)(MaxLag.TotalSeconds * Stopwatch.Frequency);
    private long? _anchor;
    private long _sampleBase;
    private long _frames;

    /// <summary>The frame just read: its sample time (clock units), when its first sample was played, and whether a gap preceded it.</summary>
    public (long SampleTime, long CapturedAt, bool Gap) Next(long readAt)
    {
        var bound = readAt - ((_frames + 1) * _frameTicks);
        var gap = false;
        if (_anchor is not { } anchor || bound - anchor > _maxLagTicks)
        {
            gap = _anchor is not null;
            _anchor = readAt - _frameTicks;
            _frames = 0;
            _sampleBase = MediaClock.ToClockUnits(_anchor.Value, sampleRate);
        }
        else if (bound < anchor)
        {
            _anchor = bound;
        }
        var frame = _frames++;
        return (_sampleBase + (frame * frameSamples), _anchor!.Value + (frame * _frameTicks), gap);
    }
}
