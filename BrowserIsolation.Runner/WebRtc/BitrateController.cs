using System.Diagnostics;
using BrowserIsolation.Runner.Media;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// Sender-side rate control for one viewer from its RTCP: the loss reported in Receiver Reports moves the target
/// (above 10 % loss: cut by half the loss ratio, at most every 300 ms; below 2 %: +8 %, at most once a second;
/// in between: hold), and the receiver's REMB caps it at once (growth then resumes from the cap, never jumps).
/// The result stays within min..max.
/// Feed <see cref="TargetBitrate"/> to <c>VideoSubscription.SetBitrateLimit</c> (or <c>VideoPipeline.SetTargetBitrate</c>).
/// Thread-safe.
/// </summary>
public sealed class BitrateController
{
    public const double HighLoss = 0.10;
    public const double LowLoss = 0.02;
    public const double IncreaseFactor = 1.08;
    public static readonly TimeSpan DecreaseInterval = TimeSpan.FromMilliseconds(300);
    public static readonly TimeSpan IncreaseInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly long _decreaseTicks = MediaClock.MillisecondsToTicks(DecreaseInterval.TotalMilliseconds);
    private readonly long _increaseTicks = MediaClock.MillisecondsToTicks(IncreaseInterval.TotalMilliseconds);
    private double _lossBased;
    private long? _remb;
    private long _lastDecreaseAt;
    private long _lastIncreaseAt;
    private int _target;

    public BitrateController(int initialBitrate, int minBitrate, int maxBitrate, long? nowTicks = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minBitrate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBitrate, minBitrate);
        MinBitrate = minBitrate;
        MaxBitrate = maxBitrate;
        _lossBased = Math.Clamp(initialBitrate, minBitrate, maxBitrate);
        var now = nowTicks ?? Stopwatch.GetTimestamp();
        _lastIncreaseAt = now;
        _lastDecreaseAt = now - _decreaseTicks;
        _target = (int)_lossBased;
    }

    public BitrateController(VideoOptions options, long? nowTicks = null)
        : this(options.Normalized().Bitrate, options.Normalized().MinBitrate, options.Normalized().MaxBitrate, nowTicks)
    {
    }

    public int MinBitrate { get; }

    public int MaxBitrate { get; }

    /// <summary>The bitrate to encode at, in bit/s.</summary>
    public int TargetBitrate => Volatile.Read(ref _target);

    /// <summary>The last REMB value received, if any.</summary>
    public long? RembBitrate
    {
        get
        {
            lock (_gate)
            {
                return _remb;
            }
        }
    }

    /// <summary>Applies a REMB. Returns true when <see cref="TargetBitrate"/> changed.</summary>
    public bool OnRemb(long bitsPerSecond)
    {
        lock (_gate)
        {
            _remb = Math.Max(0, bitsPerSecond);
            // The cap also pulls the loss-based estimate down, so later loss cuts start from what is really sent
            // and a rising REMB is followed by the slow increase, not a jump.
            _lossBased = Math.Max(MinBitrate, Math.Min(_lossBased, _remb.Value));
            return Update();
        }
    }

    /// <summary>Applies the loss fraction (0..1) a receiver reported. Returns true when <see cref="TargetBitrate"/> changed.</summary>
    public bool OnLoss(double lossRatio, long? nowTicks = null)
    {
        var now = nowTicks ?? Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (lossRatio > HighLoss)
            {
                if (now - _lastDecreaseAt >= _decreaseTicks)
                {
                    _lossBased = Math.Max(MinBitrate, _lossBased * (1 - (0.5 * lossRatio)));
                    _lastDecreaseAt = now;
                    _lastIncreaseAt = now;
                }
            }
            else if (lossRatio < LowLoss)
            {
                if (now - _lastIncreaseAt >= _increaseTicks)
                {
                    // Growing past the REMB cap is pointless; stay close to it so a rising REMB is followed quickly.
                    var ceiling = Math.Min(MaxBitrate, _remb ?? MaxBitrate);
                    _lossBased = Math.Min(Math.Max(_lossBased, Math.Min(_lossBased * IncreaseFactor, ceiling)), MaxBitrate);
                    _lastIncreaseAt = now;
                }
            }
            return Update();
        }
    }

    /// <summary>Applies a report block's fraction lost.</summary>
    public bool OnReportBlock(RtcpReportBlock block, long? nowTicks = null) => OnLoss(block.LossRatio, nowTicks);

    /// <summary>
    /// Applies everything relevant in a parsed compound packet: report blocks about <paramref name="mediaSsrc"/>
    /// and REMBs (REMB applies to the whole session). Returns true when <see cref="TargetBitrate"/> changed.
    /// </summary>
    public bool OnRtcp(IEnumerable<RtcpPacket> packets, uint mediaSsrc, long? nowTicks = null)
    {
        var changed = false;
        foreach (var packet in packets)
        {
            switch (packet)
            {
                case RtcpRemb remb:
                    changed |= OnRemb(remb.BitrateBps);
                    break;
                case RtcpReceiverReport rr:
                    changed |= ApplyBlocks(rr.Reports, mediaSsrc, nowTicks);
                    break;
                case RtcpSenderReport sr:
                    changed |= ApplyBlocks(sr.Reports, mediaSsrc, nowTicks);
                    break;
            }
        }
        return changed;
    }

    private bool ApplyBlocks(IReadOnlyList<RtcpReportBlock> blocks, uint mediaSsrc, long? nowTicks)
    {
        var changed = false;
        foreach (var block in blocks)
        {
            if (block.Ssrc == mediaSsrc)
            {
                changed |= OnReportBlock(block, nowTicks);
            }
        }
        return changed;
    }

    private bool Update()
    {
        var rate = _lossBased;
        if (_remb is { } remb)
        {
            rate = Math.Min(rate, remb);
        }
        var target = (int)Math.Clamp(rate, MinBitrate, MaxBitrate);
        var changed = target != _target;
        Volatile.Write(ref _target, target);
        return changed;
    }
}
