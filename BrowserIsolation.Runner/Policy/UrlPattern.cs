using System.Net;
using System.Text;

namespace BrowserIsolation.Runner.Policy;

/// <summary>One allow/block list entry: <c>[scheme://]host[:port][/path]</c>. See <see cref="UrlPolicyOptions"/>.</summary>
internal sealed class UrlPattern
{
    private static readonly HashSet<string> PatternSchemes = ["http", "https", "ws", "wss"];

    private enum HostKind { Any, Exact, DomainAndSubdomains, Address }

    private HostKind _hostKind;
    private string _host = "";
    private IPAddress? _address;
    private string? _scheme;
    private int? _port;
    private string? _path;

    private UrlPattern(string text) => Text = text;

    public string Text { get; }

    /// <summary>Whether the pattern restricts paths (it then cannot decide for a whole origin, e.g. a CONNECT tunnel).</summary>
    public bool HasPath => _path is not null;

    /// <summary>Whether the pattern names a scheme (it then cannot decide for a tunnel whose scheme is unknown).</summary>
    public bool HasScheme => _scheme is not null;

    /// <summary>Sort key: host precision first, then path length, then port and scheme.</summary>
    public (int Host, int Path, int Port, int Scheme) Specificity => (
        _hostKind switch
        {
            HostKind.Any => 0,
            HostKind.DomainAndSubdomains => 1000 + _host.Length,
            _ => 2000 + _host.Length,
        },
        _path?.Replace("*", "").Length ?? 0,
        _port is null ? 0 : 1,
        _scheme is null ? 0 : 1);

    public static bool TryParse(string? text, out UrlPattern pattern, out string error)
    {
        pattern = null!;
        var input = text?.Trim() ?? "";
        if (input.Length is 0 or > 2048)
        {
            error = "empty or too long pattern";
            return false;
        }
        var result = new UrlPattern(input);
        var rest = input;

        var schemeEnd = rest.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            var scheme = rest[..schemeEnd].ToLowerInvariant();
            if (scheme != "*" && !PatternSchemes.Contains(scheme))
            {
                error = $"'{input}': scheme must be http, https, ws, wss or *";
                return false;
            }
            result._scheme = scheme == "*" ? null : scheme;
            rest = rest[(schemeEnd + 3)..];
        }
        if (rest.IndexOfAny(['?', '#', '\\', ' ']) >= 0)
        {
            error = $"'{input}': patterns match scheme, host, port and path only";
            return false;
        }

        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        if (slash >= 0)
        {
            var path = NormalizePath(rest[slash..]);
            result._path = path is "/" or "/*" ? null : path;
        }

        var portText = "";
        var hostText = authority;
        var lastColon = authority.LastIndexOf(':');
        if (lastColon >= 0 && (authority[0] != '[' || authority.LastIndexOf(']') < lastColon))
        {
            hostText = authority[..lastColon];
            portText = authority[(lastColon + 1)..];
        }
        if (portText.Length > 0 && portText != "*")
        {
            if (!int.TryParse(portText, out var port) || port is < 1 or > 65535)
            {
                error = $"'{input}': invalid port";
                return false;
            }
            result._port = port;
        }

        if (hostText == "*")
        {
            result._hostKind = HostKind.Any;
        }
        else
        {
            var subdomains = hostText.StartsWith("*.", StringComparison.Ordinal);
            var bare = subdomains ? hostText[2..] : hostText;
            if (bare.Contains('*') || !HostNormalizer.TryNormalize(bare, out var host, out var hostError))
            {
                error = $"'{input}': host must be *, *.domain, a domain or an IP literal";
                return false;
            }
            if (subdomains && host.IsAddress)
            {
                error = $"'{input}': '*.' needs a domain, not an address";
                return false;
            }
            result._host = host.Name;
            result._address = host.Address;
            result._hostKind = host.IsAddress ? HostKind.Address : subdomains ? HostKind.DomainAndSubdomains : HostKind.Exact;
        }

        pattern = result;
        error = "";
        return true;
    }

    /// <param name="scheme">lower-case scheme; null when unknown (a CONNECT tunnel).</param>
    /// <param name="path">the URL path, already normalised with <see cref="NormalizePath"/>; null to match the origin only.</param>
    public bool Matches(string? scheme, NormalizedHost host, int port, string? path)
    {
        if (_scheme is not null && scheme is not null && _scheme != scheme || _port is not null && _port != port)
        {
            return false;
        }
        var hostMatches = _hostKind switch
        {
            HostKind.Any => true,
            HostKind.Address => host.Address is not null && host.Address.Equals(_address),
            HostKind.Exact => !host.IsAddress && host.Name == _host,
            _ => !host.IsAddress && (host.Name == _host || host.Name.EndsWith("." + _host, StringComparison.Ordinal)),
        };
        if (!hostMatches || _path is null || path is null)
        {
            return hostMatches;
        }
        if (_path.Contains('*'))
        {
            return GlobMatches(_path, path);
        }
        var prefix = _path.TrimEnd('/');
        return path == _path || path == prefix || path.StartsWith(prefix + "/", StringComparison.Ordinal);
    }

    /// <summary>
    /// Lower-case, with percent-escaped unreserved characters decoded, so <c>/%41dmin</c> and <c>/ADMIN</c> meet a rule
    /// for <c>/admin</c>. Paths therefore compare case-insensitively.
    /// </summary>
    public static string NormalizePath(string path)
    {
        if (path.Length == 0)
        {
            return "/";
        }
        var sb = new StringBuilder(path.Length);
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '%' && i + 2 < path.Length && char.IsAsciiHexDigit(path[i + 1]) && char.IsAsciiHexDigit(path[i + 2]))
            {
                var c = (char)Convert.ToInt32(path.Substring(i + 1, 2), 16);
                if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
                {
                    sb.Append(char.ToLowerInvariant(c));
                    i += 2;
                    continue;
                }
                sb.Append('%').Append(char.ToUpperInvariant(path[i + 1])).Append(char.ToUpperInvariant(path[i + 2]));
                i += 2;
                continue;
            }
            sb.Append(char.ToLowerInvariant(path[i]));
        }
        return sb.ToString();
    }

    /// <summary>'*' matches any run of characters; linear backtracking on the last star only.</summary>
    private static bool GlobMatches(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == text[t] && pattern[p] != '*')
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }

    public override string ToString() => Text;
}
