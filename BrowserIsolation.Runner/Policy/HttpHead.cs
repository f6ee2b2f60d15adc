using System.Text;

namespace BrowserIsolation.Runner.Policy;

/// <summary>A malformed or oversized HTTP head; <see cref="Status"/> is what the proxy answers.</summary>
internal sealed class HttpHeadException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// An HTTP/1.x request or response head, parsed strictly: CRLF line ends only, no obsolete line folding, token header
/// names, no control characters. Anything else is refused rather than interpreted (request smuggling lives in the gaps).
/// </summary>
internal sealed class HttpHead
{
    public const int MaxHeaderCount = 128;

    private HttpHead(string first, string second, string third, List<KeyValuePair<string, string>> headers)
    {
        First = first;
        Second = second;
        Third = third;
        Headers = headers;
    }

    /// <summary>Request: method. Response: version.</summary>
    public string First { get; }

    /// <summary>Request: target. Response: status code.</summary>
    public string Second { get; }

    /// <summary>Request: version. Response: reason phrase.</summary>
    public string Third { get; }

    public List<KeyValuePair<string, string>> Headers { get; }

    public string Method => First;
    public string Target => Second;
    public int Status => int.Parse(Second);

    public IEnumerable<string> GetAll(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    public string? Get(string name) => GetAll(name).FirstOrDefault();

    /// <summary>Comma-separated tokens of every instance of a header, lower-case (Connection, Transfer-Encoding).</summary>
    public List<string> Tokens(string name) =>
        GetAll(name).SelectMany(v => v.Split(',')).Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).ToList();

    public static HttpHead ParseRequest(ReadOnlySpan<byte> bytes)
    {
        var lines = SplitLines(bytes, 400);
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || !IsToken(parts[0]) || parts[1].Length == 0 || parts[1].Any(c => c <= ' ' || c >= 0x7F))
        {
            throw new HttpHeadException(400, "Malformed request line.");
        }
        if (parts[2] is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            throw new HttpHeadException(505, "Only HTTP/1.0 and HTTP/1.1 are supported.");
        }
        return new HttpHead(parts[0], parts[1], parts[2], ParseHeaders(lines, 400));
    }

    public static HttpHead ParseResponse(ReadOnlySpan<byte> bytes)
    {
        var lines = SplitLines(bytes, 502);
        var line = lines[0];
        if (line.Length < 12 || !(line.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || line.StartsWith("HTTP/1.0 ", StringComparison.Ordinal))
            || !char.IsAsciiDigit(line[9]) || !char.IsAsciiDigit(line[10]) || !char.IsAsciiDigit(line[11])
            || line.Length > 12 && line[12] != ' ')
        {
            throw new HttpHeadException(502, "The upstream server sent a malformed status line.");
        }
        return new HttpHead(line[..8], line[9..12], line.Length > 13 ? line[13..] : "", ParseHeaders(lines, 502));
    }

    /// <summary>Serialises a head with a replaced first line and headers.</summary>
    public static byte[] Build(string firstLine, IEnumerable<KeyValuePair<string, string>> headers)
    {
        var sb = new StringBuilder(firstLine).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            sb.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        sb.Append("\r\n");
        return Encoding.Latin1.GetBytes(sb.ToString());
    }

    private static string[] SplitLines(ReadOnlySpan<byte> bytes, int status)
    {
        // The reader hands over everything up to and including the blank line.
        var text = Encoding.Latin1.GetString(bytes);
        if (!text.EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            throw new HttpHeadException(status, "Truncated head.");
        }
        var lines = text[..^4].Split("\r\n");
        foreach (var line in lines)
        {
            if (line.Contains('\r') || line.Contains('\n') || line.Contains('\0'))
            {
                throw new HttpHeadException(status, "Bare CR, LF or NUL in head.");
            }
        }
        return lines;
    }

    private static List<KeyValuePair<string, string>> ParseHeaders(string[] lines, int status)
    {
        if (lines.Length - 1 > MaxHeaderCount)
        {
            throw new HttpHeadException(status == 400 ? 431 : 502, "Too many header fields.");
        }
        var headers = new List<KeyValuePair<string, string>>(lines.Length - 1);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':');
            if (colon <= 0 || !IsToken(line.AsSpan(0, colon)))
            {
                throw new HttpHeadException(status, line.Length > 0 && line[0] is ' ' or '\t'
                    ? "Obsolete line folding is not accepted."
                    : "Malformed header field.");
            }
            var value = line[(colon + 1)..].Trim(' ', '\t');
            foreach (var c in value)
            {
                if (c < 0x20 && c != '\t' || c == 0x7F)
                {
                    throw new HttpHeadException(status, "Control character in a header value.");
                }
            }
            headers.Add(new(line[..colon], value));
        }
        return headers;
    }

    private static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }
        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
            {
                return false;
            }
        }
        return true;
    }
}
