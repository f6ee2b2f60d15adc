using BrowserIsolation.Orchestrator.Sessions;

namespace BrowserIsolation.Orchestrator.Apis;

/// <summary>Everything a create request can get wrong, checked before any runner is involved.</summary>
public static class SessionRequestValidator
{
    public static IResult? Validate(string? url, int? width, int? height, SessionLimits o)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return Problems.BadRequest("url_required", "'url' is required");
        }
        if (url.Length > o.MaxUrlLength)
        {
            return Problems.BadRequest("url_too_long", $"'url' is longer than {o.MaxUrlLength} characters");
        }
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            return Problems.BadRequest("invalid_url", "'url' must be an absolute http or https URL, such as https://example.com");
        }
        if (uri.Scheme is not ("http" or "https"))
        {
            return Problems.BadRequest("unsupported_scheme", $"'url' must use http or https, not '{uri.Scheme}'");
        }
        if (string.IsNullOrEmpty(uri.Host))
        {
            return Problems.BadRequest("invalid_url", "'url' must name a host");
        }
        if (width is { } w && (w < o.MinWidth || w > o.MaxWidth))
        {
            return Problems.BadRequest("invalid_width", $"'width' must be between {o.MinWidth} and {o.MaxWidth}");
        }
        if (height is { } h && (h < o.MinHeight || h > o.MaxHeight))
        {
            return Problems.BadRequest("invalid_height", $"'height' must be between {o.MinHeight} and {o.MaxHeight}");
        }
        return null;
    }

    public static string NormalizeUrl(string url) => new Uri(url.Trim(), UriKind.Absolute).AbsoluteUri;
}
