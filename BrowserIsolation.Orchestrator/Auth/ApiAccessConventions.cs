using BrowserIsolation.Orchestrator.RateLimiting;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>Declares an endpoint's <see cref="ApiAccess"/>: the rule as metadata, its authorization policy and the per-caller rate limit.</summary>
public static class ApiAccessConventions
{
    public static TBuilder WithAccess<TBuilder>(this TBuilder builder, ApiAccess access) where TBuilder : IEndpointConventionBuilder
    {
        var rule = new ApiAccessRule(access);
        builder.WithMetadata(rule);
        if (access == ApiAccess.Public)
        {
            return builder.AllowAnonymous();
        }
        return builder.RequireAuthorization(rule.PolicyName).RequireRateLimiting(ApiRateLimits.PerCaller);
    }

    /// <summary>One authorization policy per level; <see cref="SessionAccessHandler"/> decides them all.</summary>
    public static void AddApiAccessPolicies(this Microsoft.AspNetCore.Authorization.AuthorizationOptions options)
    {
        foreach (var access in Enum.GetValues<ApiAccess>().Where(a => a != ApiAccess.Public))
        {
            var rule = new ApiAccessRule(access);
            options.AddPolicy(rule.PolicyName, policy => policy.AddRequirements(new ApiAccessRequirement(rule)));
        }
    }
}
