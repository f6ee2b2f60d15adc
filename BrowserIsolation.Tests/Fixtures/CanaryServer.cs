using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BrowserIsolation.Tests.Fixtures;

/// <summary>
/// The address the browser must never reach: raw TCP listeners on one port at 127.0.0.3, 127.0.0.1 and [::1] that count
/// every connection (a TLS hello or a CONNECT counts as much as a GET) and answer anything with a small page.
/// </summary>
public sealed class CanaryServer : IAsyncDisposable
{
    public const string Address = "127.0.0.3";
    private readonly List<TcpListener> _listeners;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private int _hits;

    private CanaryServer(List<TcpListener> listeners, int port)
    {
        _listeners = listeners;
        Port = port;
        foreach (var listener in listeners)
        {
            _loops.Add(AcceptAsync(listener));
        }
    }

    public int Port { get; }

    public int Hits => Volatile.Read(ref _hits);

    public ConcurrentQueue<string> Seen { get; } = new();

    public static CanaryServer Start()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var first = new TcpListener(IPAddress.Parse(Address), 0);
            first.Start();
            var port = ((IPEndPoint)first.LocalEndpoint).Port;
            var listeners = new List<TcpListener> { first };
            try
            {
                foreach (var other in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback })
                {
                    var listener = new TcpListener(other, port);
                    listener.Start();
                    listeners.Add(listener);
                }
                return new CanaryServer(listeners, port);
            }
            catch (SocketException)
            {
                listeners.ForEach(l => l.Stop());
            }
        }
        throw new InvalidOperationException("no port free on 127.0.0.3, 127.0.0.1 and [::1] at once");
    }

    public string Url(string host, string path = "/") => $"http://{host}:{Port}{path}";

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _hits);
            _ = AnswerAsync(client, listener.LocalEndpoint.ToString()!);
        }
    }

    private async Task AnswerAsync(TcpClient client, string where)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[2048];
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var read = await stream.ReadAsync(buffer, timeout.Token);
                Seen.Enqueue($"{where}: {Encoding.ASCII.GetString(buffer, 0, read).Split('\n')[0].Trim()}");
                var body = "<title>canary reached</title>CANARY";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"), timeout.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
                // counted already
            }
        }
    }

    public string Describe() => $"{Hits} hit(s): {string.Join(" | ", Seen)}";

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listeners.ForEach(l => l.Stop());
        await Task.WhenAll(_loops);
    }
}
