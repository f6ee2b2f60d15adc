using BrowserIsolation.Orchestrator.Auth;
using BrowserIsolation.Orchestrator.Pool;
using BrowserIsolation.Orchestrator.Runners;

namespace BrowserIsolation.Orchestrator.Apis;

public static class PoolApi
{
    /// <summary>GET /api/pool: the warm pool as this replica's autoscaler last saw it (target, sizes, demand), and the runner start breaker now.</summary>
    public static IEndpointRouteBuilder MapPoolApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/pool", (PoolState state, RunnerStartBreaker breaker) => Results.Ok(state.Current with { RunnerStarts = breaker.Status }))
            .WithTags("Pool").WithName("GetPool").WithSummary("The warm pool's target, sizes and demand, and the runner start breaker")
            .WithAccess(ApiAccess.Operator);
        return app;
    }
}
