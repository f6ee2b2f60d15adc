using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// Decides whether the browser may open a connection to an address. Pure and thread-safe once built.
/// Order: operator deny list; always-refused ranges (unspecified, multicast, broadcast); operator host:port pairs;
/// this host's own addresses; operator CIDRs; special-purpose ranges (IPv6 forms that carry an IPv4 address are judged
/// by that address); otherwise allowed. IPv4-mapped IPv6 addresses are judged entirely as their IPv4 address.
/// </summary>
public sealed class AddressGuard
{
    private readonly Cidr[] _allowCidrs;
    private readonly Cidr[] _denyCidrs;
    private readonly HashSet<IPAddress> _ownAddresses;
    private readonly HashSet<(IPAddress Address, int Port)> _allowAddressPorts = [];
    private readonly HashSet<(string Name, int Port)> _allowNamePorts = [];

    public AddressGuard(EgressOptions options, IEnumerable<IPAddress>? ownAddresses = null)
    {
        _allowCidrs = options.AllowCidrs.Select(c => ParseCidr(c, "Policy:Egress:AllowCidrs")).ToArray();
        _denyCidrs = options.DenyCidrs.Select(c => ParseCidr(c, "Policy:Egress:DenyCidrs")).ToArray();
        foreach (var entry in options.AllowHostPorts)
        {
            if (!HostPort.TrySplit(entry.Trim(), null, out var host, out var port)
                || !HostNormalizer.TryNormalize(host, out var normalized, out _))
            {
                throw new FormatException($"Policy:Egress:AllowHostPorts: '{entry}' is not host:port.");
            }
            if (normalized.Address is { } address)
            {
                _allowAddressPorts.Add((Canonical(address), port));
            }
            else
            {
                _allowNamePorts.Add((normalized.Name, port));
            }
        }
        var own = ownAddresses ?? (options.DenyLocalInterfaces ? LocalInterfaceAddresses() : []);
        _ownAddresses = own.Select(Canonical).ToHashSet();
    }

    /// <summary>Addresses bound to this host's interfaces (loopback included).</summary>
    public static IReadOnlyList<IPAddress> LocalInterfaceAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)
                .ToList();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }

    /// <summary>Whether an operator rule allows this name and port without looking at its addresses.</summary>
    public bool IsNameAllowed(string normalizedName, int port) => _allowNamePorts.Contains((normalizedName, port));

    /// <param name="address">the address the connection would go to.</param>
    /// <param name="port">the destination port (for host:port allow rules).</param>
    /// <param name="requestedName">the normalised host name that resolved to it, if any (for name:port allow rules).</param>
    public AddressVerdict Judge(IPAddress address, int port, string? requestedName = null)
    {
        var canonical = Canonical(address);
        var shown = canonical.ToString();
        var range = SpecialAddressRanges.Find(canonical);

        if (canonical.IsIPv4MappedToIPv6)
        {
            // Literally the IPv4 address (the socket connects to it): every rule applies to the IPv4 form only.
            var v4 = canonical.MapToIPv4();
            var inner = Judge(v4, port, requestedName);
            return inner with { Reason = $"{shown} is {range!.Description} of {v4}: {inner.Reason}" };
        }
        var embedded = range is { Treatment: RangeTreatment.EmbedsIPv4 } ? SpecialAddressRanges.EmbeddedIPv4(canonical, range) : null;

        var candidates = embedded is null ? [canonical] : new[] { canonical, embedded };
        foreach (var candidate in candidates)
        {
            foreach (var deny in _denyCidrs)
            {
                if (deny.Contains(candidate))
                {
                    return AddressVerdict.Refuse("operator_deny", $"{shown} is in the operator's deny list ({deny})");
                }
            }
        }

        if (range is { Treatment: RangeTreatment.RefuseAlways })
        {
            return AddressVerdict.Refuse(range.Category, $"{shown} is {range.Description}");
        }

        // An exact address:port (or name:port) pair is a deliberate, narrow exception: it may even name this host.
        if (_allowAddressPorts.Contains((canonical, port))
            || requestedName is not null && _allowNamePorts.Contains((requestedName, port)))
        {
            return AddressVerdict.Allow("operator_allow", $"{shown} port {port} is in the operator's allow list");
        }

        // A CIDR is broad: it must not open the runner's own ports by accident.
        foreach (var candidate in candidates)
        {
            if (_ownAddresses.Contains(candidate))
            {
                return AddressVerdict.Refuse("own_address", $"{shown} is an address of this runner");
            }
        }
        foreach (var allow in _allowCidrs)
        {
            if (allow.Contains(canonical))
            {
                return AddressVerdict.Allow("operator_allow", $"{shown} is in the operator's allow list ({allow})");
            }
        }

        if (range is null)
        {
            return AddressVerdict.Allow("public", $"{shown} is a public address");
        }
        if (embedded is not null)
        {
            var inner = Judge(embedded, port, requestedName);
            return inner with { Reason = $"{shown} is {range.Description} of {embedded}: {inner.Reason}" };
        }
        return AddressVerdict.Refuse(range.Category, $"{shown} is {range.Description}");
    }

    private static IPAddress Canonical(IPAddress address) => HostNormalizer.StripScope(address);

    private static Cidr ParseCidr(string text, string key) =>
        Cidr.TryParse(text, out var cidr, out var error) ? cidr : throw new FormatException($"{key}: '{text}': {error}.");
}
