using BrowserIsolation.Runner.Browser;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// Hands <see cref="BrowserHost"/> the egress flags. Starts the proxy first (idempotent) so its port is known, and
/// writes the backing profile preferences into the profile directory ChromiumProcess is about to use.
/// </summary>
public sealed class EgressChromiumArgs(EgressProxy proxy, IOptions<RunnerOptions> runnerOptions) : IChromiumArgsSource
{
    public IEnumerable<string> GetArgs()
    {
        proxy.Start();
        // Same layout as ChromiumProcess.ProfileDir: <work dir>/profile.
        ChromiumEgressFlags.WriteProfilePreferences(Path.Combine(runnerOptions.Value.ResolveWorkDir(), "profile"));
        return ChromiumEgressFlags.For(proxy.Endpoint.Port);
    }
}
