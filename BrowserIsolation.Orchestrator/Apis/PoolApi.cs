using BrowserIsolation.Orchestrator.Auth;
using BrowserIsolation.Orchestrator.Pool;

namespace BrowserIsolation.Orchestrator.Apis;

public static class PoolApi
{
    /// <summary>GET /api/pool: the warm pool as this replica's autoscaler last saw it (target, sizes, demand).</summary>
    public static IEndpointRouteBuilder MapPoolApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/pool", (PoolState state) => Results.Ok(state.Current)).WithTags("Pool").WithName("GetPool").WithSummary("The warm pool's target, sizes and demand").WithAccess(ApiAccess.Operator);
        return app;
    }
}
