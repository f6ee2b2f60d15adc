using BrowserIsolation.Orchestrator.Store;
using Microsoft.AspNetCore.Diagnostics;

namespace BrowserIsolation.Orchestrator.Apis;

/// <summary>The shared store is down or hung: answer 503 store_unavailable at once instead of a 500 or a hang.</summary>
public sealed class StoreUnavailableHandler(ILogger<StoreUnavailableHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 2;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not StoreUnavailableException unavailable || context.Response.HasStarted)
        {
            return false;
        }
        logger.LogWarning("{Method} {Path}: session store unavailable: {Reason}", context.Request.Method, context.Request.Path, unavailable.Message);
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
        await Problems.Create(503, "store_unavailable", "Session store unavailable",
            $"the session store is not answering; retry in a few seconds ({unavailable.Message})").ExecuteAsync(context);
        return true;
    }
}
