using BrowserIsolation.Orchestrator.RateLimiting;

namespace BrowserIsolation.Orchestrator.Auth;

public static class AuthExtensions
{
    public static IHostApplicationBuilder AddApiSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<AuthOptions>(builder.Configuration.GetSection(AuthOptions.Section));
        services.AddSingleton<ApiKeys>();
        services.AddSingleton<JoinTokens>();
        services.AddSingleton<JoinTokenIssuer>();
        services.AddSingleton<OriginPolicy>();
        services.AddSingleton<SessionQuota>();
        services.AddApiRateLimits(builder.Configuration);
        return builder;
    }

    /// <summary>Origin and host checks, then who is calling, then rate limits (per caller), then what they may do.</summary>
    public static WebApplication UseApiSecurity(this WebApplication app)
    {
        app.UseMiddleware<RequestOriginMiddleware>();
        app.UseMiddleware<CallerMiddleware>();
        app.UseRateLimiter();
        app.UseMiddleware<SessionAccessMiddleware>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BrowserIsolation.Auth");
        if (app.Services.GetRequiredService<ApiKeys>().Enabled)
        {
            log.LogInformation("Authentication is on: the API needs an API key, streams need a join token");
        }
        else
        {
            log.LogWarning("Authentication is OFF (no Auth:ApiKeys): listening on loopback only, and anyone who reaches the server can use it");
        }
        // Fail now, not at the first token, when the signing key is unusable.
        _ = app.Services.GetRequiredService<JoinTokens>();
        return app;
    }
}
