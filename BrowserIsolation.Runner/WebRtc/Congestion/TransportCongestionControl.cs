namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>
/// One peer's transport-wide congestion control: matches its transport feedback with what was sent
/// (<see cref="TransportFeedbackAdapter"/>) and feeds the <see cref="SendSideBandwidthEstimator"/>. Called on the
/// UDP receive thread: one feedback costs a few microseconds per reported packet. Thread-safe.
/// </summary>
public sealed class TransportCongestionControl
{
    private const long SendRateWindowMicros = 1_000_000;

    private readonly Lock _gate = new();
    private readonly TransportSendHistory _history;
    private readonly TransportFeedbackAdapter _adapter;
    private readonly SendSideBandwidthEstimator _estimator;
    private long _feedbackReceived;
    private long _packetsReported;
    private long _packetsLost;
    private long _startedMicros = long.MinValue;

    public TransportCongestionControl(TransportSendHistory history, int startBps, int minBps, int maxBps)
    {
        _history = history;
        _adapter = new TransportFeedbackAdapter(history);
        _estimator = new SendSideBandwidthEstimator(startBps, minBps, maxBps);
    }

    public long FeedbackReceived => Interlocked.Read(ref _feedbackReceived);

    public long PacketsReported => Interlocked.Read(ref _packetsReported);

    public long PacketsLost => Interlocked.Read(ref _packetsLost);

    /// <summary>The estimate for the whole transport, bit/s.</summary>
    public int TargetBps
    {
        get { lock (_gate) { return _estimator.TargetBps; } }
    }

    public TransportCongestionSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new TransportCongestionSnapshot(
                _estimator.TargetBps, _estimator.DelayBasedBps, _estimator.LossBasedBps, _estimator.AckedBps,
                _estimator.Usage, _estimator.ApplicationLimited, _estimator.LossRatio, _estimator.ProbeResults, _estimator.LastProbeBps,
                _history.SendRate(MonotonicMicros.Now(), SendRateWindowMicros));
        }
    }

    public long RttMicros
    {
        set
        {
            lock (_gate)
            {
                _estimator.RttMicros = value;
            }
        }
    }

    /// <summary>Applies one feedback; true when the target changed.</summary>
    public bool OnFeedback(RtcpTransportFeedback feedback, long? nowMicros = null)
    {
        var now = nowMicros ?? MonotonicMicros.Now();
        Interlocked.Increment(ref _feedbackReceived);
        lock (_gate)
        {
            var results = _adapter.OnFeedback(feedback, out var lost, out var reported);
            Interlocked.Add(ref _packetsReported, reported);
            Interlocked.Add(ref _packetsLost, lost);
            // Until a whole window has passed since media started, the send rate is not yet meaningful.
            var sendRate = _startedMicros != long.MinValue && now - _startedMicros >= SendRateWindowMicros
                ? _history.SendRate(now, SendRateWindowMicros)
                : double.PositiveInfinity;
            return _estimator.Update(results, lost, reported, sendRate, now);
        }
    }

    /// <summary>The first media packets left: the start probe becomes due.</summary>
    public void OnMediaStarted(long? nowMicros = null)
    {
        var now = nowMicros ?? MonotonicMicros.Now();
        lock (_gate)
        {
            if (_startedMicros == long.MinValue)
            {
                _startedMicros = now;
            }
            _estimator.OnMediaStarted(now);
        }
    }

    public double? TakeProbe()
    {
        lock (_gate)
        {
            return _estimator.TakeProbe();
        }
    }

    public void OnProbeSent(int cluster, int packets)
    {
        lock (_gate)
        {
            _estimator.OnProbeSent(cluster, packets, MonotonicMicros.Now());
        }
    }
}

/// <summary>What the estimator knows at one moment (for stats).</summary>
public sealed record TransportCongestionSnapshot(
    int TargetBps,
    double DelayBasedBps,
    double LossBasedBps,
    double? AckedBps,
    BandwidthUsage Usage,
    bool ApplicationLimited,
    double LossRatio,
    long ProbeResults,
    double LastProbeBps,
    double SendRateBps);
