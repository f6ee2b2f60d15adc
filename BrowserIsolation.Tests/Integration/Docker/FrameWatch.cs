using System.Diagnostics;
using System.Net.WebSockets;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Docker;

/// <summary>
/// Keeps a session socket busy and times its JPEG frames: every 250 ms it asks for the current picture
/// (<c>{"type":"frames","enabled":true}</c> makes the runner send its latest frame), so a static page still shows whether
/// the whole path client - orchestrator - runner answers. Each frame is decoded, and its arrival time kept.
/// </summary>
internal sealed class FrameWatch : IAsyncDisposable
{
    private readonly SessionSocket _socket;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<TimeSpan> _frames = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private readonly Task _prober;

    public FrameWatch(SessionSocket socket)
    {
        _socket = socket;
        _reader = Task.Run(ReadAsync);
        _prober = Task.Run(ProbeAsync);
    }

    /// <summary>The watch's own clock, to relate events to frame times.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Set when the socket closed or failed (the relay ended).</summary>
    public TimeSpan? ClosedAt { get; private set; }

    public int FramesSince(TimeSpan from)
    {
        lock (_frames)
        {
            return _frames.Count(f => f >= from);
        }
    }

    /// <summary>The longest time without a frame between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public TimeSpan LongestGap(TimeSpan from, TimeSpan to)
    {
        lock (_frames)
        {
            var times = _frames.Where(f => f >= from && f <= to).Prepend(from).Append(to).ToList();
            return times.Zip(times.Skip(1), (a, b) => b - a).Max();
        }
    }

    /// <summary>Waits until a frame arrives after <paramref name="from"/>; returns its time.</summary>
    public async Task<TimeSpan> WaitForFrameAfterAsync(TimeSpan from, TimeSpan timeout)
    {
        var deadline = _clock.Elapsed + timeout;
        while (_clock.Elapsed < deadline)
        {
            lock (_frames)
            {
                if (_frames.FirstOrDefault(f => f > from) is var first && first > from)
                {
                    return first;
                }
            }
            if (ClosedAt is not null)
            {
                throw new InvalidOperationException($"the session socket closed at {ClosedAt.Value.TotalSeconds:0.0} s");
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"no frame within {timeout.TotalSeconds:0} s after {from.TotalSeconds:0.0} s");
    }

    private async Task ReadAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var message = await _socket.ReceiveAsync(TimeSpan.FromMinutes(10));
                if (message is null)
                {
                    break;
                }
                if (message.Type == WebSocketMessageType.Binary)
                {
                    JpegPixels.Decode(message.Data);
                    lock (_frames)
                    {
                        _frames.Add(_clock.Elapsed);
                    }
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
        }
        ClosedAt ??= _clock.Elapsed;
    }

    private async Task ProbeAsync()
    {
        while (!_stop.IsCancellationRequested && ClosedAt is null)
        {
            try
            {
                await _socket.SendJsonAsync(new { type = "frames", enabled = true });
                await Task.Delay(250, _stop.Token);
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Socket.Abort();
        await Task.WhenAll(_reader, _prober);
        _socket.Dispose();
        _stop.Dispose();
    }
}
