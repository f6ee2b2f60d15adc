using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>
/// Counts every TCP connection and UDP datagram that reaches it. Listens on one port at 127.0.0.3 (TCP and UDP),
/// 127.0.0.1 and [::1] (TCP), so loopback spellings like [::ffff:127.0.0.1] and [::1] are caught too.
/// Answers any HTTP request with "canary", so a leak would also be visible in the browser.
/// </summary>
public sealed class CanaryServer : IAsyncDisposable
{
    public static readonly IPAddress Address = IPAddress.Parse("127.0.0.3");

    private readonly List<Socket> _tcp = [];
    private readonly Socket _udp;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private int _tcpHits;
    private int _udpHits;

    public ConcurrentQueue<string> Log { get; } = new();

    private CanaryServer(int port, List<Socket> tcp, Socket udp)
    {
        Port = port;
        _tcp = tcp;
        _udp = udp;
        foreach (var listener in _tcp)
        {
            _loops.Add(Task.Run(() => AcceptLoop(listener)));
        }
        _loops.Add(Task.Run(UdpLoop));
    }

    public int Port { get; }

    public int TcpHits => Volatile.Read(ref _tcpHits);

    public int UdpHits => Volatile.Read(ref _udpHits);

    public int Hits => TcpHits + UdpHits;

    public string Describe() => $"{Hits} hit(s): " + string.Join(" | ", Log.Take(30));

    public static CanaryServer Start()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var sockets = new List<Socket>();
            try
            {
                var first = Listen(new IPEndPoint(Address, 0));
                sockets.Add(first);
                var port = ((IPEndPoint)first.LocalEndPoint!).Port;
                sockets.Add(Listen(new IPEndPoint(IPAddress.Loopback, port)));
                sockets.Add(Listen(new IPEndPoint(IPAddress.IPv6Loopback, port)));
                var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(Address, port));
                return new CanaryServer(port, sockets, udp);
            }
            catch (SocketException)
            {
                sockets.ForEach(s => s.Dispose());
            }
        }
        throw new InvalidOperationException("No port free on 127.0.0.3, 127.0.0.1 and [::1] at once.");
    }

    private static Socket Listen(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = false;
        }
        socket.Bind(endpoint);
        socket.Listen(64);
        return socket;
    }

    private async Task AcceptLoop(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            Interlocked.Increment(ref _tcpHits);
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var firstLine = "";
                    try
                    {
                        var buffer = new byte[2048];
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                        var n = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                        firstLine = Encoding.Latin1.GetString(buffer, 0, n).Split("\r\n")[0];
                        await client.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 6\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\ncanary"u8.ToArray(), SocketFlags.None);
                    }
                    catch (Exception)
                    {
                    }
                    Log.Enqueue($"TCP {listener.LocalEndPoint} <- {client.RemoteEndPoint}: {firstLine}");
                }
            });
        }
    }

    private async Task UdpLoop()
    {
        var buffer = new byte[2048];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var result = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                Interlocked.Increment(ref _udpHits);
                Log.Enqueue($"UDP {result.RemoteEndPoint} {result.ReceivedBytes} bytes");
            }
            catch (Exception)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _tcp.ForEach(s => s.Dispose());
        _udp.Dispose();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
