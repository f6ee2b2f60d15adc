namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// Cancels <see cref="Token"/> once no byte has moved for the idle timeout. Cheaper than re-arming a timeout on every
/// read: reads and writes only store a timestamp.
/// </summary>
internal sealed class IdleWatch : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly Timer _timer;
    private readonly long _timeoutMs;
    private long _lastActivity = Environment.TickCount64;

    public IdleWatch(TimeSpan timeout, CancellationToken outer)
    {
        _timeoutMs = (long)timeout.TotalMilliseconds;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        var period = TimeSpan.FromMilliseconds(Math.Clamp(_timeoutMs / 4, 50, 1000));
        _timer = new Timer(_ => Check(), null, period, period);
    }

    public CancellationToken Token => _cts.Token;

    public bool Expired { get; private set; }

    public void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    private void Check()
    {
        if (Environment.TickCount64 - Volatile.Read(ref _lastActivity) > _timeoutMs)
        {
            Expired = true;
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _cts.Dispose();
    }
}
