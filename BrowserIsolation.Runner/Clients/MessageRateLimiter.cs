using System.Diagnostics;

namespace BrowserIsolation.Runner.Clients;

/// <summary>
/// One token bucket per client connection over every message type (input, cursor, control, stats, viewport, ping...),
/// so one client cannot flood the runner, or through it the other clients' event queues. Messages that change shared
/// state and fan out to everyone cost <see cref="SharedStateCost"/>. A bucket that stays empty for
/// <see cref="SustainedFlood"/> marks abuse: the connection is then closed.
/// </summary>
public sealed class MessageRateLimiter(int perSecond, TimeSpan sustainedFlood)
{
    public const int SharedStateCost = 10;

    private readonly double _capacity = Math.Max(SharedStateCost, perSecond * 2);
    private double _tokens = Math.Max(SharedStateCost, perSecond * 2);
    private long _last = Stopwatch.GetTimestamp();
    private long _floodingSince;

    public int PerSecond => perSecond;

    public TimeSpan SustainedFlood => sustainedFlood;

    /// <summary>True once refusals went on for <see cref="SustainedFlood"/> without the client slowing down.</summary>
    public bool IsSustainedFlood { get; private set; }

    /// <summary>What one message of this type costs.</summary>
    public static int CostOf(string? type) => type switch
    {
        "control" or "viewport-size" or "viewport-mode" or "paste" or "frames" or "audio" => SharedStateCost,
        _ => 1,
    };

    public bool TryTake(int cost)
    {
        var now = Stopwatch.GetTimestamp();
        _tokens = Math.Min(_capacity, _tokens + (now - _last) * (double)perSecond / Stopwatch.Frequency);
        _last = now;
        if (_tokens >= cost)
        {
            _tokens -= cost;
            // Half a bucket back means the client slowed down: a later burst starts a new flood period.
            if (_tokens >= _capacity / 2)
            {
                _floodingSince = 0;
            }
            return true;
        }
        if (_floodingSince == 0)
        {
            _floodingSince = now;
        }
        else if (Stopwatch.GetElapsedTime(_floodingSince, now) >= sustainedFlood)
        {
            IsSustainedFlood = true;
        }
        return false;
    }
}
