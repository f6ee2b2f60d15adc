using BrowserIsolation.Runner.WebRtc.Congestion;

namespace BrowserIsolation.Tests.Unit.WebRtc.Congestion;

/// <summary>
/// A sender, a bottleneck and a receiver on one simulated clock (µs): the sender sends 30 frames a second at
/// min(estimate, what the application has), each frame a burst of 1200-byte packets; the bottleneck serialises them at
/// its capacity behind a drop-tail queue; feedback of everything that arrived goes back every 100 ms after 20 ms.
/// </summary>
internal sealed class SimulatedLink(SendSideBandwidthEstimator estimator)
{
    private const int PacketSize = 1200;
    private const long FrameMicros = 33_333;
    private const long FeedbackMicros = 100_000;
    private const long PropagationMicros = 20_000;

    private readonly List<(SentPacket Sent, long Arrival, bool Lost)> _inFlight = [];
    private readonly Queue<(long At, int Bytes)> _sentWindow = new();
    private readonly Random _random = new(7);
    private long _sequence;
    private long _linkFreeAt;
    private long _nextFrame;
    private long _nextFeedback = FeedbackMicros;
    private long _windowBytes;

    public long Now { get; private set; }

    /// <summary>Bottleneck capacity, bit/s.</summary>
    public double CapacityBps { get; set; } = 5_000_000;

    /// <summary>What the application would send if allowed, bit/s.</summary>
    public double ApplicationBps { get; set; } = double.PositiveInfinity;

    /// <summary>Random loss ratio after the bottleneck.</summary>
    public double Loss { get; set; }

    /// <summary>Random extra arrival delay (receiver jitter), µs.</summary>
    public long JitterMicros { get; set; }

    public long MaxQueueMicros { get; set; } = 500_000;

    public List<(double Seconds, int Target)> Trace { get; } = [];

    public void Run(TimeSpan duration)
    {
        var end = Now + (long)duration.TotalMicroseconds;
        while (Now < end)
        {
            var next = Math.Min(_nextFrame, _nextFeedback);
            Now = next;
            if (Now == _nextFrame)
            {
                SendFrame();
                _nextFrame += FrameMicros;
            }
            if (Now == _nextFeedback)
            {
                Feedback();
                _nextFeedback += FeedbackMicros;
            }
        }
    }

    private void SendFrame()
    {
        var rate = Math.Min(estimator.TargetBps, ApplicationBps);
        var bytes = Math.Max(PacketSize / 4, (int)(rate / 8 * FrameMicros / 1e6));
        for (var offset = 0; offset < bytes; offset += PacketSize)
        {
            var size = Math.Min(PacketSize, bytes - offset);
            var sent = new SentPacket(_sequence++, Now, size, -1);
            var serialise = (long)(size * 8 / CapacityBps * 1e6);
            var start = Math.Max(Now, _linkFreeAt);
            var lost = start - Now > MaxQueueMicros || _random.NextDouble() < Loss;
            if (start - Now <= MaxQueueMicros)
            {
                _linkFreeAt = start + serialise;
            }
            var jitter = JitterMicros > 0 ? _random.NextInt64(0, JitterMicros) : 0;
            _inFlight.Add((sent, start + serialise + PropagationMicros + jitter, lost));
            _sentWindow.Enqueue((Now, size));
            _windowBytes += size;
        }
        while (_sentWindow.Count > 0 && _sentWindow.Peek().At < Now - 1_000_000)
        {
            _windowBytes -= _sentWindow.Dequeue().Bytes;
        }
    }

    private void Feedback()
    {
        // What arrived up to 20 ms ago is reported now.
        var cutoff = Now - PropagationMicros;
        var reported = _inFlight.Where(p => p.Arrival <= cutoff).ToList();
        _inFlight.RemoveAll(p => p.Arrival <= cutoff);
        var results = reported.Where(p => !p.Lost).Select(p => new PacketResult(p.Sent, p.Arrival)).ToList();
        var sendRate = Now < 1_000_000 ? double.PositiveInfinity : _windowBytes * 8.0;
        estimator.Update(results, reported.Count - results.Count, reported.Count, sendRate, Now);
        _ = estimator.TakeProbe(); // no probes on this link: the control loop alone is under test
        Trace.Add((Now / 1e6, estimator.TargetBps));
    }

    public int TargetAt(double seconds) => Trace.Last(t => t.Seconds <= seconds).Target;
}
