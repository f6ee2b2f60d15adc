using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Policy;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Enforcement;

/// <summary>
/// Puts Chromium behind the egress proxy (<see cref="ChromiumEgressFlags"/>), writes the profile preferences that back
/// the flags up, and turns off the back/forward cache so that going back to a page loads it again through the
/// interceptor (a page restored from that cache would skip a policy that changed meanwhile).
/// </summary>
public sealed class EgressChromiumArgs(EgressProxy proxy, IOptions<RunnerOptions> options) : IChromiumArgsSource
{
    public IEnumerable<string> GetArgs()
    {
        proxy.Start();
        ChromiumEgressFlags.WriteProfilePreferences(Path.Combine(options.Value.ResolveWorkDir(), "profile"));
        return ChromiumEgressFlags.For(proxy.Endpoint.Port, ["BackForwardCache"]);
    }
}
