using System.Net;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// Name resolution for the egress proxy. The proxy resolves every name itself and connects only to the address it
/// judged, so what Chromium (or a later DNS answer) thinks a name means never matters. Tests plug in their own.
/// </summary>
public interface IEgressResolver
{
    /// <param name="host">a normalised, lower-case ASCII host name (never an IP literal).</param>
    /// <returns>the addresses, possibly empty when the name does not exist.</returns>
    Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The operating system's resolver (getaddrinfo).</summary>
public sealed class SystemEgressResolver : IEgressResolver
{
    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return [];
        }
    }
}
