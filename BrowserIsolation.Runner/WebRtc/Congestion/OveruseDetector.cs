namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>
/// Turns the delay trend into <see cref="BandwidthUsage"/>, as libwebrtc's trendline detector: the trend is scaled by
/// min(deltas, 60) and a gain of 4 and compared with an adaptive threshold (starts at 12.5, follows the scaled trend up
/// by 0.0087/ms and down by 0.039/ms, within 6..600, ignoring spikes 15 above it). Overuse needs the trend above the
/// threshold for 10 ms over at least two deltas and not falling.
/// </summary>
public sealed class OveruseDetector
{
    public const double ThresholdGain = 4.0;
    public const int MinDeltaCount = 60;
    private const double OverusingTimeThresholdMs = 10;
    private const double InitialThreshold = 12.5;
    private const double UpGain = 0.0087;
    private const double DownGain = 0.039;
    private const double MaxAdaptOffset = 15;
    private const double MaxTimeDeltaMs = 100;

    private double _timeOverUsingMs = -1;
    private int _overuseCount;
    private double _previousTrend;
    private long _lastUpdateMicros = long.MinValue;

    public double Threshold { get; private set; } = InitialThreshold;

    public BandwidthUsage State { get; private set; } = BandwidthUsage.Normal;

    public BandwidthUsage Detect(double trend, int deltaCount, long sendDeltaMicros, long nowMicros)
    {
        if (deltaCount < 2)
        {
            return State = BandwidthUsage.Normal;
        }
        var modified = Math.Min(deltaCount, MinDeltaCount) * trend * ThresholdGain;
        if (modified > Threshold)
        {
            var sendDeltaMs = sendDeltaMicros / 1000.0;
            _timeOverUsingMs = _timeOverUsingMs < 0 ? sendDeltaMs / 2 : _timeOverUsingMs + sendDeltaMs;
            _overuseCount++;
            if (_timeOverUsingMs > OverusingTimeThresholdMs && _overuseCount > 1 && trend >= _previousTrend)
            {
                _timeOverUsingMs = 0;
                _overuseCount = 0;
                State = BandwidthUsage.Overusing;
            }
        }
        else if (modified < -Threshold)
        {
            _timeOverUsingMs = -1;
            _overuseCount = 0;
            State = BandwidthUsage.Underusing;
        }
        else
        {
            _timeOverUsingMs = -1;
            _overuseCount = 0;
            State = BandwidthUsage.Normal;
        }
        _previousTrend = trend;
        UpdateThreshold(modified, nowMicros);
        return State;
    }

    private void UpdateThreshold(double modified, long nowMicros)
    {
        if (_lastUpdateMicros == long.MinValue)
        {
            _lastUpdateMicros = nowMicros;
        }
        var magnitude = Math.Abs(modified);
        if (magnitude > Threshold + MaxAdaptOffset)
        {
            _lastUpdateMicros = nowMicros; // a spike: do not let it drag the threshold up
            return;
        }
        var gain = magnitude < Threshold ? DownGain : UpGain;
        var elapsedMs = Math.Min((nowMicros - _lastUpdateMicros) / 1000.0, MaxTimeDeltaMs);
        Threshold = Math.Clamp(Threshold + (gain * (magnitude - Threshold) * elapsedMs), 6, 600);
        _lastUpdateMicros = nowMicros;
    }
}
