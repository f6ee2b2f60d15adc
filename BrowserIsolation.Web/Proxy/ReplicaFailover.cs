using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace BrowserIsolation.Web.Proxy;

/// <summary>
/// A request that could not be delivered to one orchestrator replica (it was killed, or is restarting) goes to another
/// before any answer is sent, so a replica's death costs a viewer's reconnect and an API caller nothing. Only requests
/// without a body that are safe to repeat (GET, HEAD, OPTIONS: WebSocket upgrades included) are tried again.
/// </summary>
public static class ReplicaFailover
{
    public static void UseReplicaFailover(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.Use(RetryOnAnotherReplicaAsync);
        proxy.UseSessionAffinity();
        proxy.UseLoadBalancing();
        proxy.UsePassiveHealthChecks();
    }

    private static async Task RetryOnAnotherReplicaAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        var remaining = proxy.AvailableDestinations;
        while (true)
        {
            await next();
            if (context.Features.Get<IForwarderErrorFeature>()?.Error != ForwarderError.Request || context.Response.HasStarted ||
                !IsRepeatable(context.Request) || proxy.ProxiedDestination is not { } failed)
            {
                return;
            }
            remaining = [.. remaining.Where(d => d != failed)];
            if (remaining.Count == 0)
            {
                return;
            }
            proxy.AvailableDestinations = remaining;
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
        }
    }

    private static bool IsRepeatable(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)) &&
        request.ContentLength is null or 0 && !request.Headers.ContainsKey("Transfer-Encoding");
}
