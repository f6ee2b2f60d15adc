using System.Net;
using System.Net.Sockets;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// A host after WHATWG-style parsing: either an IP address (whatever notation it was written in) or a lower-case
/// ASCII domain name without a trailing dot.
/// </summary>
public sealed record NormalizedHost(string Name, IPAddress? Address)
{
    public bool IsAddress => Address is not null;

    /// <summary>The host as it appears in a URL: IPv6 in brackets.</summary>
    public override string ToString() =>
        Address is { AddressFamily: AddressFamily.InterNetworkV6 } ? $"[{Name}]" : Name;
}
