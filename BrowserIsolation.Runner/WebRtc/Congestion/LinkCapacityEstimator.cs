namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>
/// The acked rate at which queues built (an exponential average of the rates at overuse, with its normalized variance),
/// as libwebrtc's: near that capacity the rate controller grows additively instead of multiplicatively.
/// </summary>
public sealed class LinkCapacityEstimator
{
    private double? _estimateKbps;
    private double _deviationKbps = 0.4;

    public bool HasEstimate => _estimateKbps is not null;

    public double? EstimateBps => _estimateKbps * 1000;

    public double UpperBoundBps => _estimateKbps is { } e ? (e + (3 * Math.Sqrt(e * _deviationKbps))) * 1000 : double.PositiveInfinity;

    public double LowerBoundBps => _estimateKbps is { } e ? Math.Max(0, e - (3 * Math.Sqrt(e * _deviationKbps))) * 1000 : 0;

    public void OnOveruseDetected(double ackedBps) => Update(ackedBps, 0.05);

    public void Reset() => _estimateKbps = null;

    private void Update(double bps, double alpha)
    {
        var sample = bps / 1000;
        _estimateKbps = _estimateKbps is { } e ? ((1 - alpha) * e) + (alpha * sample) : sample;
        var norm = Math.Max(_estimateKbps.Value, 1.0);
        var error = _estimateKbps.Value - sample;
        _deviationKbps = Math.Clamp(((1 - alpha) * _deviationKbps) + (alpha * error * error / norm), 0.4, 2.5);
    }
}
