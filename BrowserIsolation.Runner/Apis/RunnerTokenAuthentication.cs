using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Apis;

/// <summary>
/// Only the orchestrator, holding this runner's token (<c>Authorization: Bearer</c>), may use its API; clients reach it
/// through the relay. Every endpoint but health requires <see cref="OrchestratorPolicy"/>.
/// </summary>
public sealed class RunnerTokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IOptions<RunnerOptions> runner) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "RunnerToken";

    public const string OrchestratorPolicy = "orchestrator";

    private readonly byte[] _expected = Encoding.UTF8.GetBytes(runner.Value.Token);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(header[7..]) : [];
        // No token configured: a runner started by hand for development answers anyone who reaches it (loopback).
        if (_expected.Length > 0 && !CryptographicOperations.FixedTimeEquals(presented, _expected))
        {
            return Task.FromResult(presented.Length == 0 ? AuthenticateResult.NoResult() : AuthenticateResult.Fail("wrong runner token"));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "orchestrator")], SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Results.Problem(statusCode: 401, title: "Unauthorized", detail: "this runner only answers its orchestrator").ExecuteAsync(Context);
}

public static class RunnerTokenServiceExtensions
{
    public static IServiceCollection AddRunnerToken(this IServiceCollection services)
    {
        services.AddAuthentication(RunnerTokenAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, RunnerTokenAuthentication>(RunnerTokenAuthentication.SchemeName, null);
        services.AddAuthorization(o => o.AddPolicy(RunnerTokenAuthentication.OrchestratorPolicy, p => p.RequireAuthenticatedUser()));
        return services;
    }
}
