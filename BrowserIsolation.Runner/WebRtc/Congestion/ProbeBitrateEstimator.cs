namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>
/// The rate a probe cluster got through, as libwebrtc's ProbeBitrateEstimator: once 80 % of its packets are acked, the
/// send rate (bytes without the last packet over the send span) and the receive rate (bytes without the first over the
/// arrival span) are compared; the lower one counts, and when the receiver got less than 90 % of the send rate the
/// link was saturated, so 95 % of the receive rate. Spans of 0 or over 1 s, or a receive rate over twice the send rate,
/// are no measurement.
/// </summary>
public sealed class ProbeBitrateEstimator
{
    private const double MinReceivedRatio = 0.8;
    private const double MaxValidRatio = 2.0;
    private const double MinRatioForUnsaturatedLink = 0.9;
    private const double TargetUtilization = 0.95;
    private const long MaxSpanMicros = 1_000_000;

    private readonly Dictionary<int, Cluster> _clusters = [];

    /// <summary>Announces a cluster of <paramref name="packets"/> packets so its results can be judged complete.</summary>
    public void Expect(int cluster, int packets, long nowMicros)
    {
        foreach (var old in _clusters.Where(c => nowMicros - c.Value.CreatedMicros > 2 * MaxSpanMicros).Select(c => c.Key).ToList())
        {
            _clusters.Remove(old);
        }
        _clusters[cluster] = new Cluster(packets, nowMicros);
    }

    /// <summary>Adds acked probe packets; returns a rate (bit/s) when a cluster became complete.</summary>
    public double? Add(IEnumerable<PacketResult> results)
    {
        double? estimate = null;
        foreach (var result in results)
        {
            if (result.Sent.ProbeCluster < 0 || !_clusters.TryGetValue(result.Sent.ProbeCluster, out var cluster))
            {
                continue;
            }
            cluster.Add(result);
            if (cluster.Received >= Math.Ceiling(cluster.Expected * MinReceivedRatio))
            {
                _clusters.Remove(result.Sent.ProbeCluster);
                if (cluster.Rate() is { } rate)
                {
                    estimate = Math.Max(estimate ?? 0, rate);
                }
            }
        }
        return estimate;
    }

    private sealed class Cluster(int expected, long createdMicros)
    {
        private long _firstSend = long.MaxValue;
        private long _lastSend = long.MinValue;
        private long _firstArrival = long.MaxValue;
        private long _lastArrival = long.MinValue;
        private int _lastSendSize;
        private int _firstArrivalSize;
        private long _bytes;

        public int Expected => expected;

        public long CreatedMicros => createdMicros;

        public int Received { get; private set; }

        public void Add(PacketResult result)
        {
            Received++;
            _bytes += result.Sent.Size;
            if (result.Sent.SendMicros < _firstSend)
            {
                _firstSend = result.Sent.SendMicros;
            }
            if (result.Sent.SendMicros >= _lastSend)
            {
                _lastSend = result.Sent.SendMicros;
                _lastSendSize = result.Sent.Size;
            }
            if (result.ArrivalMicros < _firstArrival)
            {
                _firstArrival = result.ArrivalMicros;
                _firstArrivalSize = result.Sent.Size;
            }
            _lastArrival = Math.Max(_lastArrival, result.ArrivalMicros);
        }

        public double? Rate()
        {
            var sendSpan = _lastSend - _firstSend;
            var receiveSpan = _lastArrival - _firstArrival;
            if (sendSpan <= 0 || sendSpan > MaxSpanMicros || receiveSpan <= 0 || receiveSpan > MaxSpanMicros)
            {
                return null;
            }
            var sendRate = (_bytes - _lastSendSize) * 8e6 / sendSpan;
            var receiveRate = (_bytes - _firstArrivalSize) * 8e6 / receiveSpan;
            if (receiveRate > MaxValidRatio * sendRate)
            {
                return null;
            }
            return receiveRate < MinRatioForUnsaturatedLink * sendRate ? TargetUtilization * receiveRate : Math.Min(sendRate, receiveRate);
        }
    }
}
