using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// The forward proxy Chromium is forced through (<see cref="ChromiumEgressFlags"/>). Listens on 127.0.0.1 only, on an
/// ephemeral port. CONNECT tunnels (HTTPS, WebSockets) and absolute-form plain HTTP (with WebSocket upgrade) pass only
/// when <see cref="EgressGate"/> allows them, and then only to the address it checked. Refusals are logged, counted,
/// answered (block page for plain HTTP, 403 for CONNECT) and raised through <see cref="Refused"/>.
/// </summary>
public sealed class EgressProxy : IAsyncDisposable
{
    private readonly EgressGate _gate;
    private readonly EgressOptions _options;
    private readonly ILogger _logger;
    private readonly EgressMetrics _metrics;
    private readonly bool _ownsMetrics;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, Task> _connections = new();
    private readonly object _startLock = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private int _nextId;
    private long _refusedCount;
    private int _disposed;

    public EgressProxy(EgressGate gate, EgressOptions options, ILogger<EgressProxy>? logger = null, EgressMetrics? metrics = null)
    {
        _gate = gate;
        _options = options;
        _logger = logger ?? NullLogger<EgressProxy>.Instance;
        _ownsMetrics = metrics is null;
        _metrics = metrics ?? new EgressMetrics();
        _slots = new SemaphoreSlim(Math.Max(1, options.MaxConnections));
    }

    /// <summary>A request was refused. Raised on a proxy thread; handlers must be quick and must not throw.</summary>
    public event Action<EgressRefusal>? Refused;

    /// <summary>Where the proxy listens; valid after <see cref="Start"/>.</summary>
    public IPEndPoint Endpoint => (IPEndPoint?)_listener?.LocalEndPoint ?? throw new InvalidOperationException("The egress proxy has not started.");

    /// <summary>The value for Chromium's --proxy-server.</summary>
    public string ProxyServer => $"http://127.0.0.1:{Endpoint.Port}";

    public long RefusedCount => Interlocked.Read(ref _refusedCount);

    public int ActiveConnections => _connections.Count;

    internal EgressOptions Options => _options;
    internal EgressGate Gate => _gate;
    internal ILogger Logger => _logger;
    internal EgressMetrics Metrics => _metrics;

    /// <summary>Binds 127.0.0.1:0 and starts accepting. Idempotent.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_startLock)
        {
            if (_listener is not null)
            {
                return;
            }
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(512);
            _listener = listener;
            _acceptLoop = Task.Run(AcceptLoopAsync);
            _logger.LogInformation("Egress proxy listening on {Endpoint}", listener.LocalEndPoint);
        }
    }

    private async Task AcceptLoopAsync()
    {
        var listener = _listener!;
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // EMFILE and friends: back off instead of spinning.
                _logger.LogWarning(e, "Egress proxy accept failed");
                await Task.Delay(100);
                continue;
            }

            client.NoDelay = true;
            var id = Interlocked.Increment(ref _nextId);
            if (!_slots.Wait(0))
            {
                _metrics.Requests.Add(1, new KeyValuePair<string, object?>("outcome", "busy"));
                _connections[id] = RejectBusyAsync(client, id);
                continue;
            }
            _connections[id] = ServeAsync(client, id);
        }
    }

    private async Task ServeAsync(Socket client, int id)
    {
        await Task.Yield();
        _metrics.Active.Add(1);
        try
        {
            await new ProxyConnection(this, client).RunAsync(_stopping.Token);
        }
        catch (Exception e)
        {
            // A connection must never take the proxy down.
            _logger.LogDebug(e, "Egress proxy connection {Id} failed", id);
        }
        finally
        {
            _metrics.Active.Add(-1);
            _slots.Release();
            _connections.TryRemove(id, out _);
        }
    }

    private async Task RejectBusyAsync(Socket client, int id)
    {
        await Task.Yield();
        try
        {
            using var stream = new NetworkStream(client, ownsSocket: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await stream.WriteAsync(ProxyResponses.Plain(503, "The egress proxy is at its connection limit."), timeout.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
        }
        finally
        {
            _connections.TryRemove(id, out _);
        }
    }

    internal void ReportRefusal(EgressRefusal refusal)
    {
        Interlocked.Increment(ref _refusedCount);
        _metrics.Refused.Add(1,
            new KeyValuePair<string, object?>("reason", refusal.Category),
            new KeyValuePair<string, object?>("kind", refusal.Tunnel ? "connect" : "http"));
        _logger.LogInformation("Egress refused {Host}:{Port} ({Category}): {Reason}", refusal.Host, refusal.Port, refusal.Category, refusal.Reason);
        try
        {
            Refused?.Invoke(refusal);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "An egress Refused handler threw");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stopping.Cancel();
        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }
        var pending = _connections.Values.ToArray();
        await Task.WhenAny(Task.WhenAll(pending), Task.Delay(TimeSpan.FromSeconds(5)));
        _stopping.Dispose();
        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }
}
