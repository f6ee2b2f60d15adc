namespace BrowserIsolation.Web.Proxy;

/// <summary>
/// A path that means the API but does not match its routes, such as <c>//api/sessions</c> (Kestrel keeps empty
/// segments), gets a 404 problem instead of the UI's index.html: an API client must never get a web page for a typo.
/// </summary>
public static class StrayApiPaths
{
    public static IApplicationBuilder UseStrayApiPathsAsNotFound(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (IsStray(context.Request.Path.Value))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await Results.Problem(statusCode: 404, title: "Not found", detail: "No such API path; API paths start with a single '/api/' or '/ws/'.")
                .ExecuteAsync(context);
            return;
        }
        await next(context);
    });

    /// <summary>Leading empty segments before <c>api</c> or <c>ws</c> (any case).</summary>
    public static bool IsStray(string? path)
    {
        if (path is null || !path.StartsWith("//", StringComparison.Ordinal))
        {
            return false;
        }
        var rest = path.TrimStart('/');
        return IsSegment(rest, "api") || IsSegment(rest, "ws");
    }

    private static bool IsSegment(string path, string name) =>
        path.StartsWith(name, StringComparison.OrdinalIgnoreCase) && (path.Length == name.Length || path[name.Length] == '/');
}
