using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>Answers a refused request with the problem that says why: a wrong credential first, then the access rule's refusal.</summary>
public sealed class AccessResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await next(context);
            return;
        }
        if ((await context.AuthenticateAsync(CallerAuthentication.SchemeName)).Failure is CredentialRefusedException wrong)
        {
            await AccessProblems.Unauthorized(context, wrong.Code, wrong.Message);
            return;
        }
        if (authorizeResult.AuthorizationFailure?.FailureReasons.OfType<AccessRefusal>().FirstOrDefault() is { } refusal)
        {
            if (refusal.Status == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }
            await refusal.Problem.ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
