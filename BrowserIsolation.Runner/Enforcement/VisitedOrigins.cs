using System.Collections.Concurrent;

namespace BrowserIsolation.Runner.Enforcement;

/// <summary>Every origin the browser sent a request to, so a reset can clear each one's storage. Bounded.</summary>
public sealed class VisitedOrigins
{
    private const int Max = 20_000;
    private readonly ConcurrentDictionary<string, byte> _origins = new(StringComparer.OrdinalIgnoreCase);

    public void Add(Uri url)
    {
        if (url.Scheme is "http" or "https" && _origins.Count < Max)
        {
            _origins.TryAdd(url.GetLeftPart(UriPartial.Authority), 0);
        }
    }

    public IReadOnlyCollection<string> Snapshot() => [.. _origins.Keys];

    public void Clear() => _origins.Clear();
}
