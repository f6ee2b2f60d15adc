using System.Diagnostics;

namespace BrowserIsolation.Runner.Capture;

/// <summary>Events per second over the last second, from a ring of recent timestamps.</summary>
public sealed class RateMeter
{
    private readonly long[] _ring = new long[256];
    private readonly Lock _gate = new();
    private int _next;
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public void Mark()
    {
        lock (_gate)
        {
            _ring[_next] = Stopwatch.GetTimestamp();
            _next = (_next + 1) % _ring.Length;
            _total++;
        }
    }

    public double PerSecond
    {
        get
        {
            var since = Stopwatch.GetTimestamp() - Stopwatch.Frequency;
            lock (_gate)
            {
                var count = 0;
                foreach (var t in _ring)
                {
                    if (t > since)
                    {
                        count++;
                    }
                }
                return count;
            }
        }
    }
}
