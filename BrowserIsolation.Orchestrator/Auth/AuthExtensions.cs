using BrowserIsolation.Orchestrator.RateLimiting;
using BrowserIsolation.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authorization;

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
        services.AddAuthentication(CallerAuthentication.SchemeName).AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, CallerAuthentication>(
            CallerAuthentication.SchemeName, null);
        services.AddAuthorization(options => options.AddApiAccessPolicies());
        services.AddSingleton<IAuthorizationHandler, SessionAccessHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AccessResultHandler>();
        return builder;
    }

    /// <summary>
    /// After routing: origin and host checks, endpoints without a declared rule refused, then who is calling, then rate
    /// limits (per caller), then what the endpoint's <see cref="ApiAccessRule"/> lets them do.
    /// </summary>
    public static WebApplication UseApiSecurity(this WebApplication app)
    {
        app.UseMiddleware<RequestOriginMiddleware>();
        app.UseDeclaredAccessOnly("/api", "/ws");
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BrowserIsolation.Auth");
        if (app.Services.GetRequiredService<ApiKeys>().Enabled)
        {
            log.LogInformation("Authentication is on: the API needs an API key, streams need a join token");
            if (string.IsNullOrWhiteSpace(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.PublicBaseUrl))
            {
                log.LogWarning("Auth:PublicBaseUrl is not set: join links are built from the request's Host header; set it to the UI's public address");
            }
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
