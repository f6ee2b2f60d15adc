using System.Text;

namespace BrowserIsolation.Runner.Policy;

/// <summary>Complete responses the proxy writes itself. Each closes the connection.</summary>
internal static class ProxyResponses
{
    public static byte[] Plain(int status, string message) =>
        Build(status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(message + "\n"), []);

    public static byte[] Blocked(string target, string reason) =>
        Build(403, "text/html; charset=utf-8", BlockPage.RenderUtf8(target, reason),
        [
            new("Content-Security-Policy", BlockPage.ContentSecurityPolicy),
            new("X-Content-Type-Options", "nosniff"),
            new("Referrer-Policy", "no-referrer"),
        ]);

    public static readonly byte[] TunnelEstablished = "HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray();

    private static byte[] Build(int status, string contentType, byte[] body, KeyValuePair<string, string>[] extra)
    {
        var head = new List<KeyValuePair<string, string>>
        {
            new("Content-Type", contentType),
            new("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Cache-Control", "no-store"),
            new("Connection", "close"),
            new("Proxy-Connection", "close"),
        };
        head.AddRange(extra);
        var headBytes = HttpHead.Build($"HTTP/1.1 {status} {ReasonPhrase(status)}", head);
        return [.. headBytes, .. body];
    }

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        403 => "Forbidden",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };
}
