using System.Net;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>
/// Which browser origins may talk to the API: the server's own, plus <c>Auth:AllowedOrigins</c>. Requests without an
/// <c>Origin</c> header come from non-browser clients, which need a credential anyway.
/// </summary>
public sealed class OriginPolicy(IOptions<AuthOptions> options)
{
    private readonly HashSet<string> _allowed = options.Value.AllowedOrigins
        .Where(o => !string.IsNullOrWhiteSpace(o)).Select(Normalize).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public bool IsAllowed(string origin, HttpRequest request)
    {
        var normalized = Normalize(origin);
        return _allowed.Contains("*") || _allowed.Contains(normalized) ||
            string.Equals(normalized, Normalize($"{request.Scheme}://{request.Host}"), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Scheme://host[:port] without a default port or trailing slash; anything else (e.g. "null") as is.</summary>
    internal static string Normalize(string origin)
    {
        var trimmed = origin.Trim().TrimEnd('/');
        return Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : trimmed;
    }

    /// <summary>localhost, *.localhost, 127.0.0.0/8 and ::1 (a Host header, with or without port).</summary>
    public static bool IsLoopbackHost(HostString host)
    {
        var name = host.Host.Trim('[', ']');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address);
    }
}
