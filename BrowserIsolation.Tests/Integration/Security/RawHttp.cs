using System.Net.Sockets;
using System.Text;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// One HTTP/1.1 request written byte for byte, so the path reaches the server exactly as spelled (HttpClient and Uri
/// would resolve dot segments and unescape letters before sending).
/// </summary>
public static class RawHttp
{
    public sealed record Answer(int Status, string Head, string Body);

    public static async Task<Answer> SendAsync(Uri server, string method, string rawPath, IEnumerable<string>? headers = null, string? body = null,
        string? host = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        using var stream = client.GetStream();
        var request = new StringBuilder($"{method} {rawPath} HTTP/1.1\r\nHost: {host ?? server.Authority}\r\nConnection: close\r\n");
        foreach (var header in headers ?? [])
        {
            request.Append(header).Append("\r\n");
        }
        var content = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (body is not null)
        {
            request.Append("Content-Type: application/json\r\n");
        }
        request.Append($"Content-Length: {content.Length}\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()));
        await stream.WriteAsync(content);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            // A 101 keeps the connection open: the status line and headers are all we need then.
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
                var text = Encoding.UTF8.GetString(received.ToArray());
                if (text.StartsWith("HTTP/1.1 101", StringComparison.Ordinal) && text.Contains("\r\n\r\n"))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        var all = Encoding.UTF8.GetString(received.ToArray());
        var split = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? all : all[..split];
        var status = head.Length >= 12 && int.TryParse(head.AsSpan(9, 3), out var s) ? s : 0;
        var rest = split < 0 ? "" : all[(split + 4)..];
        return new Answer(status, head, head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Dechunk(rest) : rest);
    }

    private static string Dechunk(string body)
    {
        var text = new StringBuilder();
        var at = 0;
        while (at < body.Length)
        {
            var end = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (end < 0 || !int.TryParse(body.AsSpan(at, end - at), System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
            {
                break;
            }
            text.Append(body, end + 2, Math.Min(size, body.Length - end - 2));
            at = end + 2 + size + 2;
        }
        return text.ToString();
    }
}
