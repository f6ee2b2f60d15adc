namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>
/// <c>Referrer-Policy: no-referrer</c> on every response (the UI's pages and files, API answers): a join link's token
/// must never leave in a Referer header, e.g. when the UI loads something from elsewhere or a user follows a link.
/// </summary>
public sealed class NoReferrerMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
