using System.Diagnostics;

namespace BrowserIsolation.Runner.Input;

/// <summary>Token bucket per client: a flood of input is refused instead of queueing up in Chromium.</summary>
public sealed class InputRateLimiter(int perSecond)
{
    private readonly double _capacity = Math.Max(1, perSecond * 2);
    private double _tokens = Math.Max(1, perSecond * 2);
    private long _last = Stopwatch.GetTimestamp();

    public bool TryTake()
    {
        var now = Stopwatch.GetTimestamp();
        _tokens = Math.Min(_capacity, _tokens + (now - _last) * (double)perSecond / Stopwatch.Frequency);
        _last = now;
        if (_tokens < 1)
        {
            return false;
        }
        _tokens -= 1;
        return true;
    }
}
