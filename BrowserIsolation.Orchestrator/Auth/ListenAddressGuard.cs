using System.Net;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>
/// Without API keys the server is open to anyone who reaches it, so it may only listen on loopback. Checked from
/// configuration before anything binds, and again on the bound addresses.
/// </summary>
public static class ListenAddressGuard
{
    /// <summary>Why the configured addresses are unsafe without auth, or null when they are fine.</summary>
    public static string? Refusal(IConfiguration configuration, AuthOptions auth)
    {
        if (auth.Enabled)
        {
            return null;
        }
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>())
            .ToList();
        var exposed = urls.Where(u => !IsLoopbackUrl(u)).ToList();
        if (!string.IsNullOrEmpty(configuration["http_ports"]) || !string.IsNullOrEmpty(configuration["https_ports"]))
        {
            exposed.Add("HTTP_PORTS/HTTPS_PORTS (every interface)");
        }
        return exposed.Count == 0 ? null : Message(exposed);
    }

    public static string Message(IEnumerable<string> exposed) =>
        $"Refusing to start: authentication is off (no Auth:ApiKeys) but the server would listen on {string.Join(", ", exposed)}. " +
        "Without API keys it may only listen on loopback (e.g. --urls http://127.0.0.1:8090). " +
        "Set Auth:ApiKeys (environment Auth__ApiKeys__0=<secret>) to listen on other addresses.";

    /// <summary>http://localhost:8090, http://127.0.0.1:0, http://[::1]:80 are loopback; *, +, 0.0.0.0, [::] and names are not.</summary>
    public static bool IsLoopbackUrl(string url)
    {
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        rest = rest.Split('/')[0];
        string host;
        if (rest.StartsWith('['))
        {
            var end = rest.IndexOf(']');
            host = end > 0 ? rest[1..end] : rest;
        }
        else
        {
            host = rest.Split(':')[0];
        }
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address);
    }
}
