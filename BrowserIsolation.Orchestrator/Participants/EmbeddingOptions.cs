namespace BrowserIsolation.Orchestrator.Participants;

/// <summary>
/// Configuration section <c>Embedding</c>: which sites may show the Web UI in an iframe (a meeting plugin). Sent as the
/// CSP <c>frame-ancestors</c> of every page; the server's own origin is always allowed.
/// </summary>
public sealed class EmbeddingOptions
{
    public const string Section = "Embedding";

    /// <summary>Origins such as <c>https://meet.example.com</c>, or <c>*</c> for anywhere. Empty: only this server.</summary>
    public List<string> FrameAncestors { get; set; } = [];

    /// <summary>The header value, or an error for an entry that is not an origin (which must stop the start).</summary>
    public (string? Value, string? Error) HeaderValue()
    {
        var sources = new List<string> { "'self'" };
        foreach (var entry in FrameAncestors.Select(e => e.Trim()).Where(e => e.Length > 0))
        {
            if (entry == "*")
            {
                sources.Add("*");
            }
            else if (Uri.TryCreate(entry, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" &&
                uri.AbsolutePath == "/" && uri.Query.Length == 0 && !entry.Any(c => c is ';' or ',' or ' ' or '\'' or '"'))
            {
                sources.Add(uri.GetLeftPart(UriPartial.Authority));
            }
            else
            {
                return (null, $"Embedding:FrameAncestors entry '{entry}' is not an origin such as https://meet.example.com");
            }
        }
        return ("frame-ancestors " + string.Join(' ', sources.Distinct()), null);
    }
}
