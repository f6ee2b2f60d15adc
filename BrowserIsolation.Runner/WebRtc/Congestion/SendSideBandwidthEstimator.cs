namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>
/// Send-side bandwidth estimation from transport feedback, in the manner of libwebrtc's GCC: acked packets go (in
/// arrival order) through <see cref="InterArrival"/> groups into the <see cref="TrendlineEstimator"/> and the
/// <see cref="OveruseDetector"/>, whose verdict drives <see cref="AimdRateControl"/> with the
/// <see cref="AckedBitrateEstimator"/>'s rate; a completed probe cluster raises the estimate at once; the
/// <see cref="LossBasedControl"/> can only lower it. While the application sends far below the estimate, the
/// delay-based rate neither grows nor falls more than 15 % a second (sparse packets carry little evidence), and when
/// that ends a probe checks the estimate again. Time is the sender's monotonic clock in µs. Not thread-safe.
/// </summary>
public sealed class SendSideBandwidthEstimator
{
    public const double StartProbeFactor = 3.0;
    public const double ResumeProbeFactor = 2.0;
    public const long MinProbeIntervalMicros = 2_000_000;
    private const long ApplicationLimitedDecreaseIntervalMicros = 1_000_000;
    private const int MaxFurtherProbes = 2;

    private readonly InterArrival _interArrival = new();
    private readonly TrendlineEstimator _trendline = new();
    private readonly OveruseDetector _detector = new();
    private readonly AckedBitrateEstimator _acked = new();
    private readonly ProbeBitrateEstimator _probes = new();
    private readonly ApplicationLimitedDetector _applicationLimited = new();
    private readonly AimdRateControl _delayBased;
    private readonly LossBasedControl _lossBased;
    private long _lastProbeMicros = long.MinValue;
    private long _lastLimitedDecreaseMicros = long.MinValue;
    private double? _pendingProbeBps;
    private double _lastProbedBps;
    private int _furtherProbes;
    private bool _startProbed;

    public SendSideBandwidthEstimator(int startBps, int minBps, int maxBps)
    {
        MinBps = minBps;
        MaxBps = maxBps;
        _delayBased = new AimdRateControl(startBps, minBps, maxBps);
        _lossBased = new LossBasedControl(maxBps, minBps, maxBps);
        TargetBps = (int)_delayBased.CurrentBps;
    }

    public int MinBps { get; }

    public int MaxBps { get; }

    public int TargetBps { get; private set; }

    public double DelayBasedBps => _delayBased.CurrentBps;

    public double LossBasedBps => _lossBased.CurrentBps;

    public double? AckedBps => _acked.BitrateBps;

    public BandwidthUsage Usage => _detector.State;

    public double LossRatio => _lossBased.LastLossRatio;

    public bool ApplicationLimited => _applicationLimited.IsLimited;

    public long ProbeResults { get; private set; }

    /// <summary>The last probe's rate, bit/s (0 before one completed).</summary>
    public double LastProbeBps { get; private set; }

    public long RttMicros
    {
        set
        {
            _delayBased.RttMicros = value;
            _lossBased.RttMicros = value;
        }
    }

    /// <summary>Applies one feedback's results. Returns true when <see cref="TargetBps"/> changed.</summary>
    public bool Update(List<PacketResult> results, int lost, int reported, double sendRateBps, long nowMicros)
    {
        results.Sort((a, b) => a.ArrivalMicros.CompareTo(b.ArrivalMicros));
        var usage = _detector.State;
        foreach (var result in results)
        {
            _acked.Update(result.ArrivalMicros, result.Sent.Size);
            if (_interArrival.Add(result.Sent.SendMicros, result.ArrivalMicros, result.Sent.Size) is { } delta)
            {
                var trend = _trendline.Update(delta);
                usage = _detector.Detect(trend, _trendline.DeltaCount, delta.SendDeltaMicros, delta.ArrivalMicros);
            }
        }
        var probe = _probes.Add(results);
        var limitedChanged = _applicationLimited.Update(sendRateBps, TargetBps);
        var acked = _acked.BitrateBps;

        if (usage == BandwidthUsage.Overusing)
        {
            DecreaseOnOveruse(acked, nowMicros);
        }
        else if (probe is { } probed)
        {
            OnProbeResult(probed, nowMicros);
        }
        else if (_applicationLimited.IsLimited)
        {
            _delayBased.Hold(nowMicros);
        }
        else
        {
            _delayBased.Update(usage, acked, nowMicros);
        }
        if (limitedChanged && !_applicationLimited.IsLimited)
        {
            _furtherProbes = 0;
            RequestProbe(_delayBased.CurrentBps * ResumeProbeFactor, nowMicros);
        }
        _lossBased.Update(lost, reported, _delayBased.CurrentBps, nowMicros);
        var target = (int)Math.Clamp(Math.Min(_delayBased.CurrentBps, _lossBased.CurrentBps), MinBps, MaxBps);
        var changed = target != TargetBps;
        TargetBps = target;
        return changed;
    }

    /// <summary>Media started: probe at 3x the start rate (once).</summary>
    public void OnMediaStarted(long nowMicros)
    {
        if (!_startProbed)
        {
            _startProbed = true;
            RequestProbe(_delayBased.CurrentBps * StartProbeFactor, nowMicros);
        }
    }

    /// <summary>The rate of a probe to send now, if one is due (then it is no longer pending).</summary>
    public double? TakeProbe()
    {
        var probe = _pendingProbeBps;
        _pendingProbeBps = null;
        return probe;
    }

    /// <summary>A cluster left: its results will be judged when 80 % of <paramref name="packets"/> are acked.</summary>
    public void OnProbeSent(int cluster, int packets, long nowMicros) => _probes.Expect(cluster, packets, nowMicros);

    private void DecreaseOnOveruse(double? acked, long nowMicros)
    {
        if (acked is not { } throughput)
        {
            return;
        }
        if (_applicationLimited.IsLimited)
        {
            // Little traffic, little evidence: at most one 15 % step a second instead of 0.85 x a meaningless acked rate.
            if (_lastLimitedDecreaseMicros == long.MinValue || nowMicros - _lastLimitedDecreaseMicros >= ApplicationLimitedDecreaseIntervalMicros)
            {
                _lastLimitedDecreaseMicros = nowMicros;
                _delayBased.SetEstimate(Math.Max(throughput, _delayBased.CurrentBps) * AimdRateControl.Beta, nowMicros);
            }
            return;
        }
        if (_delayBased.TimeToReduceFurther(nowMicros, throughput))
        {
            _delayBased.Update(BandwidthUsage.Overusing, throughput, nowMicros);
        }
    }

    private void OnProbeResult(double probed, long nowMicros)
    {
        ProbeResults++;
        LastProbeBps = probed;
        if (probed > _delayBased.CurrentBps)
        {
            _delayBased.SetEstimate(probed, nowMicros);
        }
        // The probe got (nearly) all through: the link may take more, so probe higher (libwebrtc's further probing).
        if (probed >= 0.7 * _lastProbedBps && _delayBased.CurrentBps < MaxBps && _furtherProbes < MaxFurtherProbes)
        {
            _furtherProbes++;
            _lastProbeMicros = long.MinValue;
            RequestProbe(2 * probed, nowMicros);
        }
    }

    private void RequestProbe(double bps, long nowMicros)
    {
        if (_delayBased.CurrentBps >= MaxBps || (_lastProbeMicros != long.MinValue && nowMicros - _lastProbeMicros < MinProbeIntervalMicros))
        {
            return;
        }
        _lastProbeMicros = nowMicros;
        _lastProbedBps = Math.Min(bps, MaxBps * 1.25); // just above the cap is enough to reach it
        _pendingProbeBps = _lastProbedBps;
    }
}
