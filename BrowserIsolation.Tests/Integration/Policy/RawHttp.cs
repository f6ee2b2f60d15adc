using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>A bare TCP client for speaking (and mis-speaking) HTTP to the proxy.</summary>
internal sealed class RawHttp : IDisposable
{
    private readonly Socket _socket;

    private RawHttp(Socket socket) => _socket = socket;

    public static async Task<RawHttp> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new RawHttp(socket);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>Reads until the peer closes (or the timeout), returning what arrived.</summary>
    public async Task<string> ReadToEndAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var sb = new StringBuilder();
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    break;
                }
                sb.Append(Encoding.Latin1.GetString(buffer, 0, n));
            }
        }
        catch (OperationCanceledException)
        {
            sb.Append("\n<<timeout>>");
        }
        catch (SocketException e)
        {
            sb.Append($"\n<<{e.SocketErrorCode}>>");
        }
        return sb.ToString();
    }

    /// <summary>Reads until <paramref name="marker"/> has arrived.</summary>
    public async Task<string> ReadUntilAsync(string marker, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var sb = new StringBuilder();
        var buffer = new byte[8192];
        while (!sb.ToString().Contains(marker, StringComparison.Ordinal))
        {
            var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0)
            {
                break;
            }
            sb.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        return sb.ToString();
    }

    public void Dispose() => _socket.Dispose();
}
