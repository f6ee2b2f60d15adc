using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Apis;

/// <summary>Only the orchestrator, holding this runner's token, may use its API; clients reach it through the relay.</summary>
public sealed class RunnerTokenMiddleware(RequestDelegate next, IOptions<RunnerOptions> options)
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes(options.Value.Token);

    public Task InvokeAsync(HttpContext context)
    {
        if (_expected.Length == 0 || context.Request.Path.StartsWithSegments("/alive"))
        {
            return next(context);
        }
        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(header[7..]) : [];
        if (CryptographicOperations.FixedTimeEquals(presented, _expected))
        {
            return next(context);
        }
        return Results.Problem(statusCode: 401, title: "Unauthorized", detail: "this runner only answers its orchestrator").ExecuteAsync(context);
    }
}
