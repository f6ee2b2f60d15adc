namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>
/// The rate the receiver got, from the acked packets' arrival times, as libwebrtc's BitrateEstimator: bytes per 150 ms
/// window (500 ms for the first), each sample merged into the estimate by a Bayesian update whose sample uncertainty
/// grows with its distance from the estimate (so one odd window moves it little). Feed packets in arrival order.
/// </summary>
public sealed class AckedBitrateEstimator
{
    private const long InitialWindowMicros = 500_000;
    private const long WindowMicros = 150_000;
    private const double UncertaintyScale = 10;

    private long _previousArrival = long.MinValue;
    private long _windowElapsed;
    private long _windowBytes;
    private double _estimateKbps = -1;
    private double _variance = 50;

    /// <summary>Bit/s, or null before the first full window.</summary>
    public double? BitrateBps => _estimateKbps < 0 ? null : _estimateKbps * 1000;

    public void Update(long arrivalMicros, int bytes)
    {
        var window = _estimateKbps < 0 ? InitialWindowMicros : WindowMicros;
        var sample = Sample(arrivalMicros, bytes, window);
        if (sample < 0)
        {
            return;
        }
        if (_estimateKbps < 0)
        {
            _estimateKbps = sample;
            return;
        }
        var uncertainty = UncertaintyScale * Math.Abs(_estimateKbps - sample) / Math.Max(_estimateKbps, 1);
        var sampleVariance = uncertainty * uncertainty;
        var predictedVariance = _variance + 5;
        _estimateKbps = ((sampleVariance * _estimateKbps) + (predictedVariance * sample)) / (sampleVariance + predictedVariance);
        _variance = sampleVariance * predictedVariance / (sampleVariance + predictedVariance);
    }

    private double Sample(long arrivalMicros, int bytes, long window)
    {
        if (_previousArrival != long.MinValue && arrivalMicros < _previousArrival)
        {
            _windowElapsed = 0; // the receiver's clock went back: start over
            _windowBytes = 0;
        }
        else if (_previousArrival != long.MinValue)
        {
            var gap = arrivalMicros - _previousArrival;
            _windowElapsed += gap;
            if (gap > window)
            {
                _windowBytes = 0; // idle for a whole window: that silence says nothing about the link
                _windowElapsed %= window;
            }
        }
        _previousArrival = arrivalMicros;
        double sample = -1;
        if (_windowElapsed >= window)
        {
            sample = _windowBytes * 8.0 / (window / 1000.0); // kbit/s
            _windowElapsed -= window;
            _windowBytes = 0;
        }
        _windowBytes += bytes;
        return sample;
    }
}
