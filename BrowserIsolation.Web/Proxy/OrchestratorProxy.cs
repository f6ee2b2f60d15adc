using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Transforms;

namespace BrowserIsolation.Web.Proxy;

/// <summary>
/// Forwards every <c>/api</c> and <c>/ws</c> path (any case spelling: routing ignores case), HTTP and WebSocket, to the
/// orchestrator through YARP, so the UI talks to one origin whether the orchestrator serves it (embedded default) or
/// this host does (the Aspire composition). This host decides nothing: credentials pass as they came and the
/// orchestrator answers; when it cannot be reached the answer is 502.
/// </summary>
public static class OrchestratorProxy
{
    private const string Cluster = "orchestrator";

    public static IServiceCollection AddOrchestratorProxy(this IServiceCollection services, IConfiguration configuration)
    {
        // No body limit of our own (Kestrel's default is 30 MB): the orchestrator enforces its limits, uploads included.
        RouteConfig Route(string prefix) => new()
        {
            RouteId = prefix, ClusterId = Cluster, Match = new RouteMatch { Path = $"/{prefix}/{{**rest}}" }, MaxRequestBodySize = -1,
        };
        var cluster = new ClusterConfig
        {
            ClusterId = Cluster,
            Destinations = new Dictionary<string, DestinationConfig> { [Cluster] = new() { Address = OrchestratorAddress(configuration) } },
            HealthCheck = ReplicaHealth,
        };
        // One failed connect is enough to stop choosing a replica for a while: the others hold the same sessions (Redis).
        services.Configure<TransportFailureRateHealthPolicyOptions>(o => o.MinimalTotalCountThreshold = 1);
        services.AddReverseProxy()
            .LoadFromMemory([Route("api"), Route("ws")], [cluster])
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms(t => t.AddRequestTransform(SameSiteOrigin));
        return services;
    }

    /// <summary>
    /// With several orchestrator replicas (service discovery lists each), a killed one is skipped within about a second:
    /// passively after a failed forward, actively by probing /alive. With none healthy all are tried (HealthyOrPanic),
    /// so a single orchestrator is never cut off by a transient failure.
    /// </summary>
    private static readonly HealthCheckConfig ReplicaHealth = new()
    {
        Active = new ActiveHealthCheckConfig
        {
            Enabled = true,
            Interval = TimeSpan.FromSeconds(1),
            Timeout = TimeSpan.FromSeconds(2),
            Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
            Path = "/alive",
        },
        Passive = new PassiveHealthCheckConfig
        {
            Enabled = true,
            Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
            ReactivationPeriod = TimeSpan.FromSeconds(5),
        },
        AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyOrPanic,
    };

    /// <summary>Aspire's service discovery (services__orchestrator__*, https preferred), else <c>Orchestrator:Url</c>.</summary>
    private static string OrchestratorAddress(IConfiguration configuration) =>
        configuration.GetSection("services:orchestrator").Exists() ? "https+http://orchestrator"
        : configuration["Orchestrator:Url"] is { Length: > 0 } url ? url
        : "http://localhost:8090";

    /// <summary>
    /// The orchestrator refuses cross-site origins (WebSocket hijacking, CSRF). A page of this host is same-site here, so it
    /// reaches the orchestrator as the orchestrator's own origin; any other origin passes as it is, for it to judge.
    /// </summary>
    private static ValueTask SameSiteOrigin(RequestTransformContext context)
    {
        var request = context.HttpContext.Request;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && string.Equals(origin.TrimEnd('/'), $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            context.ProxyRequest.Headers.Remove("Origin");
            context.ProxyRequest.Headers.TryAddWithoutValidation("Origin", new Uri(context.DestinationPrefix).GetLeftPart(UriPartial.Authority));
        }
        return ValueTask.CompletedTask;
    }
}
