using System.Collections.Concurrent;
using System.Net;
using BrowserIsolation.Runner.Policy;

namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>The proxy's resolver hook for tests: fixed answers for test names, the system resolver for the rest.</summary>
internal sealed class MapResolver : IEgressResolver
{
    private readonly SystemEgressResolver _system = new();

    public ConcurrentDictionary<string, Func<IReadOnlyList<IPAddress>>> Names { get; } = new();

    public ConcurrentQueue<string> Lookups { get; } = new();

    public MapResolver Map(string name, params string[] addresses)
    {
        var parsed = addresses.Select(IPAddress.Parse).ToArray();
        Names[name] = () => parsed;
        return this;
    }

    public Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Lookups.Enqueue(host);
        return Names.TryGetValue(host, out var answer)
            ? Task.FromResult(answer())
            : _system.ResolveAsync(host, cancellationToken);
    }
}
