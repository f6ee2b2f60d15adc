using BrowserIsolation.Runner.Policy;

namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>A started <see cref="EgressProxy"/> with its guard, a test resolver and a changeable URL policy.</summary>
internal sealed class ProxyHarness : IAsyncDisposable
{
    private ProxyHarness(EgressProxy proxy, MapResolver resolver, UrlPolicyHolder policy, EgressOptions options)
    {
        Proxy = proxy;
        Resolver = resolver;
        Policy = policy;
        Options = options;
        Proxy.Refused += r => Refusals.Enqueue(r);
    }

    public EgressProxy Proxy { get; }
    public MapResolver Resolver { get; }
    public UrlPolicyHolder Policy { get; }
    public EgressOptions Options { get; }
    public System.Collections.Concurrent.ConcurrentQueue<EgressRefusal> Refusals { get; } = new();

    public int Port => Proxy.Endpoint.Port;

    public ListLogger<EgressProxy> Log { get; private init; } = null!;

    /// <summary>Content on 127.0.0.2 allowed by CIDR; test names mapped in the resolver hook.</summary>
    public static ProxyHarness Start(Action<EgressOptions>? configure = null, UrlPolicy? policy = null)
    {
        var options = new EgressOptions { AllowCidrs = ["127.0.0.2/32"] };
        configure?.Invoke(options);
        var resolver = new MapResolver()
            .Map("content.test", "127.0.0.2")
            .Map("canary.test", "127.0.0.3")
            .Map("rebind.test", "127.0.0.2", "127.0.0.3")
            .Map("metadata.test", "169.254.169.254")
            .Map("mapped.test", "::ffff:127.0.0.3");
        var holder = new UrlPolicyHolder(policy ?? UrlPolicy.Default);
        var gate = new EgressGate(new AddressGuard(options), resolver, () => holder.Current, options.ConnectTimeout);
        var logger = new ListLogger<EgressProxy>();
        var proxy = new EgressProxy(gate, options, logger);
        proxy.Start();
        return new ProxyHarness(proxy, resolver, holder, options) { Log = logger };
    }

    public ValueTask DisposeAsync() => Proxy.DisposeAsync();
}
