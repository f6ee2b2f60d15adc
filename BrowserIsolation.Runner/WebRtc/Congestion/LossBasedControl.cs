namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>
/// The loss-based rate, as libwebrtc's classic send-side estimation: loss is judged over at least 20 reported packets;
/// above 10 % the rate is cut by half the loss ratio (at most every 300 ms + RTT), below 2 % it grows 8 % per second,
/// in between it holds. It never exceeds the delay-based rate it is given, and once it has grown back to it, it simply
/// follows it until the next cut: loss alone only lowers the target.
/// </summary>
public sealed class LossBasedControl(int startBps, int minBps, int maxBps)
{
    public const double HighLoss = 0.10;
    public const double LowLoss = 0.02;
    public const int MinPackets = 20;
    private const long DecreaseIntervalMicros = 300_000;

    private int _lost;
    private int _reported;
    private long _lastDecreaseMicros = long.MinValue;
    private long _lastIncreaseMicros = long.MinValue;
    private bool _limiting;

    public double CurrentBps { get; private set; } = Math.Clamp(startBps, minBps, maxBps);

    /// <summary>The loss ratio of the last complete window (0 before one).</summary>
    public double LastLossRatio { get; private set; }

    public long RttMicros { get; set; } = 200_000;

    public double Update(int lost, int reported, double delayBasedBps, long nowMicros)
    {
        _lost += Math.Max(0, lost);
        _reported += Math.Max(0, reported);
        if (_reported >= MinPackets)
        {
            LastLossRatio = (double)_lost / _reported;
            _lost = 0;
            _reported = 0;
            if (LastLossRatio > HighLoss)
            {
                if (_lastDecreaseMicros == long.MinValue || nowMicros - _lastDecreaseMicros >= DecreaseIntervalMicros + RttMicros)
                {
                    CurrentBps = Math.Min(CurrentBps, delayBasedBps) * (1 - (0.5 * LastLossRatio));
                    _lastDecreaseMicros = nowMicros;
                    _limiting = true;
                }
                _lastIncreaseMicros = nowMicros;
            }
            else if (LastLossRatio < LowLoss)
            {
                var seconds = _lastIncreaseMicros == long.MinValue ? 1.0 : Math.Min((nowMicros - _lastIncreaseMicros) / 1e6, 1.0);
                CurrentBps = (CurrentBps * Math.Pow(1.08, seconds)) + 1_000;
                _lastIncreaseMicros = nowMicros;
            }
            else
            {
                _lastIncreaseMicros = nowMicros;
            }
        }
        if (!_limiting || CurrentBps >= delayBasedBps)
        {
            _limiting = false;
            CurrentBps = delayBasedBps;
        }
        CurrentBps = Math.Clamp(Math.Min(CurrentBps, delayBasedBps), minBps, maxBps);
        return CurrentBps;
    }
}
