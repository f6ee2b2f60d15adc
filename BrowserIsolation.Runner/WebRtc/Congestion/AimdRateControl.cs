namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>
/// The delay-based rate, as libwebrtc's AimdRateControl: overuse cuts it to 0.85 of the acked rate (then holds);
/// underuse holds; normal use grows it, multiplicatively (8 %/s) far from the link capacity last seen at overuse and
/// additively (about one packet per response time) near it, never above 1.5 x acked + 10 kbit/s (what was really
/// delivered bounds what may be assumed). Clamped to min..max.
/// </summary>
public sealed class AimdRateControl
{
    public const double Beta = 0.85;
    private const double MultiplicativeIncrease = 1.08;
    private const double MinIncreaseBps = 1_000;
    private const double MinNearMaxIncreaseBpsPerSecond = 4_000;
    private const long DefaultRttMicros = 200_000;

    private readonly LinkCapacityEstimator _linkCapacity = new();
    private State _state = State.Hold;
    private long _lastChangeMicros = long.MinValue;
    private double? _latestAcked;

    public AimdRateControl(int startBps, int minBps, int maxBps)
    {
        MinBps = minBps;
        MaxBps = maxBps;
        CurrentBps = Math.Clamp(startBps, minBps, maxBps);
    }

    public int MinBps { get; }

    public int MaxBps { get; }

    public double CurrentBps { get; private set; }

    public long RttMicros { get; set; } = DefaultRttMicros;

    public LinkCapacityEstimator LinkCapacity => _linkCapacity;

    /// <summary>A decrease is due again after one RTT (10..200 ms), or at once when acked fell below half the estimate.</summary>
    public bool TimeToReduceFurther(long nowMicros, double ackedBps)
    {
        var interval = Math.Clamp(RttMicros, 10_000, 200_000);
        return _lastChangeMicros == long.MinValue || nowMicros - _lastChangeMicros >= interval || ackedBps < 0.5 * CurrentBps;
    }

    /// <summary>A probe (or the caller) knows better: take this rate as the estimate.</summary>
    public void SetEstimate(double bps, long nowMicros)
    {
        CurrentBps = Math.Clamp(bps, MinBps, MaxBps);
        _lastChangeMicros = nowMicros;
    }

    /// <summary>Nothing to learn now (application-limited): restart the increase clock so no growth piles up meanwhile.</summary>
    public void Hold(long nowMicros) => _lastChangeMicros = nowMicros;

    public double Update(BandwidthUsage usage, double? ackedBps, long nowMicros)
    {
        if (ackedBps is { } acked)
        {
            _latestAcked = acked;
        }
        var throughput = _latestAcked ?? CurrentBps;
        _state = usage switch
        {
            BandwidthUsage.Overusing => State.Decrease,
            BandwidthUsage.Underusing => State.Hold,
            _ when _state == State.Hold => State.Increase,
            _ => _state,
        };
        var next = CurrentBps;
        switch (_state)
        {
            case State.Increase:
                if (throughput > _linkCapacity.UpperBoundBps)
                {
                    _linkCapacity.Reset(); // the link got faster than we thought
                }
                var limit = Math.Max(CurrentBps, (1.5 * throughput) + 10_000);
                if (CurrentBps < limit && _latestAcked is not null) // nothing measured yet: nothing to grow on
                {
                    var increase = _linkCapacity.HasEstimate ? AdditiveIncrease(nowMicros) : MultiplicativeIncreaseBps(nowMicros);
                    next = Math.Min(CurrentBps + increase, limit);
                }
                _lastChangeMicros = nowMicros;
                break;
            case State.Decrease:
                var decreased = throughput * Beta;
                if (decreased > CurrentBps && _linkCapacity.EstimateBps is { } capacity)
                {
                    decreased = Beta * capacity;
                }
                if (decreased < CurrentBps)
                {
                    next = decreased;
                }
                if (throughput < _linkCapacity.LowerBoundBps)
                {
                    _linkCapacity.Reset();
                }
                _linkCapacity.OnOveruseDetected(throughput);
                _state = State.Hold;
                _lastChangeMicros = nowMicros;
                break;
        }
        CurrentBps = Math.Clamp(next, MinBps, MaxBps);
        return CurrentBps;
    }

    private double MultiplicativeIncreaseBps(long nowMicros)
    {
        var alpha = MultiplicativeIncrease;
        if (_lastChangeMicros != long.MinValue)
        {
            alpha = Math.Pow(alpha, Math.Min((nowMicros - _lastChangeMicros) / 1e6, 1.0));
        }
        return Math.Max(CurrentBps * (alpha - 1), MinIncreaseBps);
    }

    private double AdditiveIncrease(long nowMicros)
    {
        if (_lastChangeMicros == long.MinValue)
        {
            return 0;
        }
        // About one average packet per response time: at 30 fps, a frame's packets of at most 1200 bytes.
        var frameBits = CurrentBps / 30;
        var packetsPerFrame = Math.Ceiling(frameBits / (1200 * 8));
        var packetBits = frameBits / packetsPerFrame;
        var responseSeconds = (RttMicros + 100_000) / 1e6;
        var perSecond = Math.Max(MinNearMaxIncreaseBpsPerSecond, packetBits / responseSeconds);
        return perSecond * (nowMicros - _lastChangeMicros) / 1e6;
    }

    private enum State
    {
        Hold,
        Increase,
        Decrease,
    }
}
