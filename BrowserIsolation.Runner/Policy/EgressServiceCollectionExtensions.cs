using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.Runner.Policy;

public static class EgressServiceCollectionExtensions
{
    /// <summary>
    /// Registers the URL policy (section <c>Policy</c>), the address guard and egress proxy (section <c>Policy:Egress</c>)
    /// a hosted service that starts (and at shutdown stops) the proxy, and an <c>IChromiumArgsSource</c> that gives
    /// BrowserHost the egress flags. Invalid configuration fails here, at start-up.
    /// </summary>
    public static IServiceCollection AddEgressPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        var egress = configuration.GetSection(EgressOptions.SectionName).Get<EgressOptions>() ?? new EgressOptions();
        var urlOptions = configuration.GetSection(UrlPolicyOptions.SectionName).Get<UrlPolicyOptions>() ?? new UrlPolicyOptions();
        var initialPolicy = UrlPolicy.Create(urlOptions);

        services.AddSingleton(egress);
        services.AddSingleton(new AddressGuard(egress));
        services.TryAddSingleton<IEgressResolver, SystemEgressResolver>();
        services.AddSingleton(new UrlPolicyHolder(initialPolicy));
        services.AddSingleton(sp => new EgressMetrics(sp.GetService<IMeterFactory>()));
        services.AddSingleton(sp =>
        {
            var holder = sp.GetRequiredService<UrlPolicyHolder>();
            return new EgressGate(sp.GetRequiredService<AddressGuard>(), sp.GetRequiredService<IEgressResolver>(),
                () => holder.Current, egress.ConnectTimeout);
        });
        services.AddSingleton(sp => new EgressProxy(sp.GetRequiredService<EgressGate>(), egress,
            sp.GetService<ILogger<EgressProxy>>(), sp.GetRequiredService<EgressMetrics>()));
        services.AddHostedService<EgressProxyService>();
        services.AddSingleton<BrowserIsolation.Runner.Browser.IChromiumArgsSource, EgressChromiumArgs>();
        return services;
    }

    private sealed class EgressProxyService(EgressProxy proxy) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            proxy.Start();
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken) => await proxy.DisposeAsync();
    }
}
