namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>
/// Matches transport feedback with the send history: each received packet's send time, size and arrival on one
/// continuous receiver clock (reference times are 24-bit, 64 ms units, and wrap), plus the lost/reported counts.
/// Feedback about packets the history no longer has (or never had) is ignored. Not thread-safe.
/// </summary>
public sealed class TransportFeedbackAdapter(TransportSendHistory history)
{
    private const int ReferenceTimeRange = 1 << 24;
    private long _arrivalBase;
    private int _lastReferenceTime = -1;

    public List<PacketResult> OnFeedback(RtcpTransportFeedback feedback, out int lost, out int reported)
    {
        if (_lastReferenceTime >= 0)
        {
            var delta = (feedback.ReferenceTime - _lastReferenceTime) & (ReferenceTimeRange - 1);
            if (delta >= ReferenceTimeRange / 2)
            {
                delta -= ReferenceTimeRange; // an older feedback came late
            }
            _arrivalBase += (long)delta * TransportFeedbackParser.ReferenceTimeMicros;
        }
        _lastReferenceTime = feedback.ReferenceTime;

        var results = new List<PacketResult>(feedback.Received.Count);
        var baseSequence = history.Unwrap(feedback.BaseSequence);
        reported = 0;
        var receivedKnown = 0;
        var nextReceived = 0;
        for (var i = 0; i < feedback.StatusCount; i++)
        {
            var isReceived = nextReceived < feedback.Received.Count
                && feedback.Received[nextReceived].Sequence == unchecked((ushort)(feedback.BaseSequence + i));
            if (!history.TryGet(baseSequence + i, out var sent))
            {
                nextReceived += isReceived ? 1 : 0;
                continue;
            }
            reported++;
            if (isReceived)
            {
                results.Add(new PacketResult(sent, _arrivalBase + feedback.Received[nextReceived].ArrivalMicros));
                receivedKnown++;
                nextReceived++;
            }
        }
        lost = reported - receivedKnown;
        return results;
    }
}
