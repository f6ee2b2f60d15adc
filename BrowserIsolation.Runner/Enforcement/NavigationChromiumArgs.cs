using BrowserIsolation.Runner.Browser;

namespace BrowserIsolation.Runner.Enforcement;

/// <summary>
/// No back/forward cache: going back loads the page again through the interceptor, so a page that became blocked
/// meanwhile is not restored from memory. (The egress flags come from Policy/EgressChromiumArgs.)
/// </summary>
public sealed class NavigationChromiumArgs : IChromiumArgsSource
{
    public IEnumerable<string> GetArgs() => ["--disable-features=BackForwardCache"];
}
