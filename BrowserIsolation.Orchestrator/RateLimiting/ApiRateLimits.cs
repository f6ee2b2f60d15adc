using System.Threading.RateLimiting;
using BrowserIsolation.Orchestrator.Apis;
using BrowserIsolation.Orchestrator.Auth;
using Microsoft.AspNetCore.RateLimiting;

namespace BrowserIsolation.Orchestrator.RateLimiting;

/// <summary>Configuration section <c>RateLimits</c>: per caller (API key, participant, or client address).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Sustained API and WebSocket-connect requests per second per caller.</summary>
    public int RequestsPerSecond { get; set; } = 20;

    /// <summary>Requests a caller may send at once above the sustained rate.</summary>
    public int Burst { get; set; } = 40;

    /// <summary>Session creations per minute per caller.</summary>
    public int SessionCreatesPerMinute { get; set; } = 30;
}

/// <summary>
/// ASP.NET Core rate limiting, attached to endpoints (<see cref="PerCaller"/> by <c>WithAccess</c>, <see cref="SessionCreates"/>
/// on the create endpoint): 429 problems with <c>Retry-After</c>.
/// </summary>
public static class ApiRateLimits
{
    /// <summary>Sustained requests (and WebSocket connects) per caller: every endpoint that needs a credential.</summary>
    public const string PerCaller = "per-caller";

    /// <summary>Session creations per minute per caller: POST /api/sessions.</summary>
    public const string SessionCreates = "session-creates";

    public static IServiceCollection AddApiRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var o = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(PerCaller, context => !o.Enabled
                ? RateLimitPartition.GetNoLimiter("none")
                : RateLimitPartition.GetTokenBucketLimiter(CallerKey(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, o.Burst),
                    TokensPerPeriod = Math.Max(1, o.RequestsPerSecond),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            limiter.AddPolicy(SessionCreates, context => !o.Enabled
                ? RateLimitPartition.GetNoLimiter("none")
                : RateLimitPartition.GetFixedWindowLimiter(CallerKey(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, o.SessionCreatesPerMinute),
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                rejected.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString();
                await Problems.Create(429, "rate_limited", "Too many requests", $"slow down: retry after {retryAfter} s")
                    .ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }

    /// <summary>Key holders and participants by identity; everyone else by address.</summary>
    private static string CallerKey(HttpContext context) => context.GetCaller() is { Kind: not CallerKind.Anonymous } caller && caller.Name != "anonymous"
        ? caller.Name
        : "ip:" + context.Connection.RemoteIpAddress;
}
