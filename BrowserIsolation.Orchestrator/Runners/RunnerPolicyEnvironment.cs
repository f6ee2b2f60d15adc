using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>
/// What every runner is told about policy: the orchestrator's <c>Policy</c> section (URL policy defaults and the egress
/// guard's allow/deny lists, wherever they were configured), as environment variables, plus the orchestrator's own
/// listening addresses in <c>Policy:Egress:DenyCidrs</c> so the browser can never reach its control plane.
/// </summary>
public sealed class RunnerPolicyEnvironment(IConfiguration configuration, IServer server)
{
    public const string Section = "Policy";

    public IReadOnlyDictionary<string, string> Build()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var section = configuration.GetSection(Section);
        foreach (var (key, value) in section.AsEnumerable())
        {
            if (value is not null)
            {
                env[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }
        var deny = configuration.GetSection("Policy:Egress:DenyCidrs").GetChildren().Count();
        foreach (var address in OwnAddresses())
        {
            env[$"Policy__Egress__DenyCidrs__{deny++}"] = address.ToString();
        }
        return env;
    }

    /// <summary>Concrete addresses this orchestrator listens on (a wildcard is covered by the runner's own-interface rule).</summary>
    private IEnumerable<IPAddress> OwnAddresses()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var url in addresses)
        {
            if (Uri.TryCreate(url.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0"), UriKind.Absolute, out var uri) &&
                IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any))
            {
                yield return ip;
            }
        }
    }

    /// <summary>Sets the variables on a runner process, replacing any Policy__* it would inherit.</summary>
    public void ApplyTo(IDictionary<string, string?> environment)
    {
        foreach (var key in environment.Keys.Where(k => k.StartsWith("Policy__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            environment.Remove(key);
        }
        foreach (var (key, value) in Build())
        {
            environment[key] = value;
        }
    }
}
