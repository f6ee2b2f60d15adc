using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Participants;

/// <summary>Says who may frame the Web UI (CSP frame-ancestors, from <see cref="EmbeddingOptions"/>) on every response.</summary>
public sealed class FrameAncestorsMiddleware(RequestDelegate next, IOptions<EmbeddingOptions> options)
{
    private readonly string _policy = options.Value.HeaderValue() is { Value: { } value } ? value : "frame-ancestors 'self'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            context.Response.Headers.ContentSecurityPolicy = _policy;
            return Task.CompletedTask;
        });
        return next(context);
    }
}
