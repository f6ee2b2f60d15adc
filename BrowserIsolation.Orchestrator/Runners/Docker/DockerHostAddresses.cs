using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>
/// Addresses of the machine that runs the containers, added to every runner's egress deny list
/// (<c>Policy:Egress:DenyCidrs</c>, which wins over the operator's allow list): <c>AnnounceHost</c>, <c>PublicIp</c>, the
/// daemon's <c>tcp://</c> host and, for a local daemon, every address of this host, the bridges' gateways
/// (<c>host.docker.internal</c>) included. A remote daemon's other interfaces and gateway are not known here; they are
/// private addresses, refused by the guard's default ranges unless an operator allows them.
/// </summary>
internal static class DockerHostAddresses
{
    public static IReadOnlyList<IPAddress> Find(DockerEndpoint endpoint, string announceHost, string? publicIp)
    {
        var found = new List<IPAddress>();
        foreach (var host in new[] { announceHost, publicIp, endpoint.IsUnixSocket ? null : endpoint.Address.Host })
        {
            found.AddRange(Resolve(host));
        }
        if (endpoint.IsUnixSocket)
        {
            found.AddRange(LocalAddresses());
        }
        return [.. found.Select(Plain).Where(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any)).Distinct()];
    }

    /// <summary>IPv4 for mapped addresses, and no IPv6 scope id (fe80::1%2 is not a CIDR the runner parses).</summary>
    private static IPAddress Plain(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4()
        : address.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(address.GetAddressBytes())
        : address;

    /// <summary>The deny-list entries for a runner's environment, numbered after the <paramref name="existing"/> ones.</summary>
    public static IEnumerable<string> Environment(IEnumerable<IPAddress> addresses, int existing) =>
        addresses.Select((a, i) => $"Policy__Egress__DenyCidrs__{existing + i}={a}");

    private static IEnumerable<IPAddress> Resolve(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return [];
        }
        var name = host.Trim('[', ']');
        if (IPAddress.TryParse(name, out var ip))
        {
            return [ip];
        }
        try
        {
            return Dns.GetHostAddresses(name);
        }
        catch (SocketException)
        {
            return []; // unresolvable now: the guard resolves names itself and refuses private results anyway
        }
    }

    private static IEnumerable<IPAddress> LocalAddresses()
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                yield return unicast.Address;
            }
        }
    }
}
