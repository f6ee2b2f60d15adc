using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace BrowserIsolation.ServiceDefaults.Discovery;

/// <summary>
/// Aspire's service discovery contract without its package: a referenced service's endpoints arrive as
/// <c>services__{service}__{endpoint}__{index}</c>, i.e. configuration key <c>services:{service}:{endpoint}:{index}</c>.
/// </summary>
public sealed class ServiceEndpoints(IConfiguration configuration)
{
    /// <summary>The first endpoint of <paramref name="service"/>, preferring https over http when no endpoint name is given.</summary>
    public Uri? Resolve(string service, string? endpoint = null)
    {
        var section = configuration.GetSection("services").GetSection(service);
        var names = endpoint is not null ? [endpoint] : new[] { "https", "http" }.Concat(section.GetChildren().Select(c => c.Key));
        foreach (var name in names)
        {
            var value = section.GetSection(name)["0"];
            if (Uri.TryCreate(value, UriKind.Absolute, out var uri))
            {
                return uri;
            }
        }
        return null;
    }

    /// <summary>Rewrites <c>http://{service}/path</c> to the service's configured endpoint; other hosts pass through.</summary>
    public Uri Rewrite(Uri requestUri)
    {
        if (!requestUri.IsAbsoluteUri || requestUri.Host.Contains('.') || requestUri.IsLoopback)
        {
            return requestUri;
        }
        var target = Resolve(requestUri.Host, requestUri.Scheme);
        if (target is null)
        {
            return requestUri;
        }
        return new UriBuilder(requestUri) { Scheme = target.Scheme, Host = target.Host, Port = target.Port }.Uri;
    }
}

public static class ServiceDiscoveryExtensions
{
    public static IServiceCollection AddServiceDiscovery(this IServiceCollection services)
    {
        services.AddSingleton<ServiceEndpoints>();
        services.AddTransient<ServiceDiscoveryHandler>();
        services.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler<ServiceDiscoveryHandler>());
        return services;
    }
}

public sealed class ServiceDiscoveryHandler(ServiceEndpoints endpoints) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is not null)
        {
            request.RequestUri = endpoints.Rewrite(request.RequestUri);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
