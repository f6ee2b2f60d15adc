namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>
/// The slope of the queuing delay over time, as libwebrtc's TrendlineEstimator: each group delta adds
/// (arrival delta - send delta) to an accumulated delay, which is smoothed (0.9) and kept, with its arrival time, in a
/// window of 20 points; once full, the least-squares slope of that window is the trend (ms of delay per ms: > 0
/// means a queue is building).
/// </summary>
public sealed class TrendlineEstimator(int windowSize = TrendlineEstimator.DefaultWindowSize, double smoothing = TrendlineEstimator.DefaultSmoothing)
{
    public const int DefaultWindowSize = 20;
    public const double DefaultSmoothing = 0.9;
    private const int MaxDeltaCount = 1000;

    private readonly Queue<(double X, double Y)> _window = new(windowSize + 1);
    private double _accumulatedDelayMs;
    private double _smoothedDelayMs;
    private long _firstArrivalMicros = long.MinValue;

    /// <summary>Group deltas seen (capped at 1000): the detector trusts the trend more as this grows.</summary>
    public int DeltaCount { get; private set; }

    public double Trend { get; private set; }

    /// <summary>Adds one group delta and returns the (possibly unchanged) trend.</summary>
    public double Update(GroupDelta delta)
    {
        var deltaMs = (delta.ArrivalDeltaMicros - delta.SendDeltaMicros) / 1000.0;
        DeltaCount = Math.Min(DeltaCount + 1, MaxDeltaCount);
        if (_firstArrivalMicros == long.MinValue)
        {
            _firstArrivalMicros = delta.ArrivalMicros;
        }
        _accumulatedDelayMs += deltaMs;
        _smoothedDelayMs = (smoothing * _smoothedDelayMs) + ((1 - smoothing) * _accumulatedDelayMs);
        _window.Enqueue(((delta.ArrivalMicros - _firstArrivalMicros) / 1000.0, _smoothedDelayMs));
        if (_window.Count > windowSize)
        {
            _window.Dequeue();
        }
        if (_window.Count == windowSize && LinearFitSlope() is { } slope)
        {
            Trend = slope;
        }
        return Trend;
    }

    private double? LinearFitSlope()
    {
        double sumX = 0, sumY = 0;
        foreach (var (x, y) in _window)
        {
            sumX += x;
            sumY += y;
        }
        var meanX = sumX / _window.Count;
        var meanY = sumY / _window.Count;
        double numerator = 0, denominator = 0;
        foreach (var (x, y) in _window)
        {
            numerator += (x - meanX) * (y - meanY);
            denominator += (x - meanX) * (x - meanX);
        }
        return denominator == 0 ? null : numerator / denominator;
    }
}
