using System.Web;

namespace BrowserIsolation.Runner.Enforcement;

/// <summary>
/// A tab is sent to <see cref="Host"/> to show the block page where Chromium makes no request that Fetch could answer
/// (chrome:, view-source:, javascript: typed by a user). The interceptor answers that host itself; it never resolves
/// (.invalid), so the address fails closed even if interception were off.
/// </summary>
public static class BlockedNavigation
{
    public const string Host = "blocked.browserisolation.invalid";

    public static string MarkerUrl(string target, string reason) =>
        $"http://{Host}/?url={Uri.EscapeDataString(Shorten(target, 1024))}&reason={Uri.EscapeDataString(Shorten(reason, 512))}";

    public static bool IsMarker(Uri url) => url.Host.Equals(Host, StringComparison.OrdinalIgnoreCase);

    public static (string Target, string Reason) Parse(Uri marker)
    {
        var query = HttpUtility.ParseQueryString(marker.Query);
        return (query["url"] ?? "", query["reason"] ?? "This address is blocked.");
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max];
}
