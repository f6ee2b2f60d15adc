using System.Net;
using BrowserIsolation.Runner.Policy;

namespace BrowserIsolation.Runner.Enforcement;

/// <summary>
/// Configuration section <c>Policy:Egress:Hosts</c> (name → address[,address]): names the egress proxy resolves to fixed
/// addresses before asking the system resolver, like /etc/hosts for the browser alone. The answers are still judged by
/// the address guard like any other, so mapping a name to an internal address does not make it reachable.
/// </summary>
public sealed class ConfiguredHostsResolver(IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> hosts, IEgressResolver fallback) : IEgressResolver
{
    public const string SectionName = "Policy:Egress:Hosts";

    public static ConfiguredHostsResolver FromConfiguration(IConfiguration configuration, IEgressResolver fallback)
    {
        var hosts = new Dictionary<string, IReadOnlyList<IPAddress>>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in configuration.GetSection(SectionName).GetChildren())
        {
            var addresses = (entry.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(a => IPAddress.TryParse(a.Trim('[', ']'), out var ip) ? ip : throw new FormatException($"{SectionName}:{entry.Key}: '{a}' is not an IP address."))
                .ToList();
            hosts[entry.Key.Trim().TrimEnd('.').ToLowerInvariant()] = addresses;
        }
        return new ConfiguredHostsResolver(hosts, fallback);
    }

    public Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken) =>
        hosts.TryGetValue(host.TrimEnd('.'), out var addresses) ? Task.FromResult(addresses) : fallback.ResolveAsync(host, cancellationToken);
}
