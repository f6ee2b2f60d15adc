using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// Decides whether the browser may open a connection to an address. Pure and thread-safe once built.
/// Order: operator deny list and this host's own addresses; always-refused ranges; operator allow rules;
/// special-purpose ranges (IPv6 forms that carry an IPv4 address are judged by that address); otherwise allowed.
/// </summary>
public sealed class AddressGuard
{
    private readonly IPNetwork[] _allowCidrs;
    private readonly IPNetwork[] _denyCidrs;
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

        if (_ownAddresses.Contains(canonical))
        {
            return AddressVerdict.Refuse("own_address", $"{shown} is an address of this runner");
        }
        foreach (var deny in _denyCidrs)
        {
            if (deny.Contains(canonical))
            {
                return AddressVerdict.Refuse("operator_deny", $"{shown} is in the operator's deny list ({deny})");
            }
        }

        var range = SpecialAddressRanges.Find(canonical);
        if (range is { Treatment: RangeTreatment.RefuseAlways })
        {
            return AddressVerdict.Refuse(range.Category, $"{shown} is {range.Description}");
        }

        if (_allowAddressPorts.Contains((canonical, port))
            || requestedName is not null && _allowNamePorts.Contains((requestedName, port)))
        {
            return AddressVerdict.Allow("operator_allow", $"{shown} port {port} is in the operator's allow list");
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
        if (range.Treatment == RangeTreatment.EmbedsIPv4)
        {
            var embedded = SpecialAddressRanges.EmbeddedIPv4(canonical, range);
            var inner = Judge(embedded, port, requestedName);
            return inner with { Reason = $"{shown} is {range.Description} of {embedded}: {inner.Reason}" };
        }
        return AddressVerdict.Refuse(range.Category, $"{shown} is {range.Description}");
    }

    private static IPAddress Canonical(IPAddress address) => HostNormalizer.StripScope(address);

    private static IPNetwork ParseCidr(string text, string key)
    {
        var trimmed = text.Trim();
        var slash = trimmed.IndexOf('/');
        var addressText = slash < 0 ? trimmed : trimmed[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%'))
        {
            throw new FormatException($"{key}: '{text}' is not an address or CIDR.");
        }
        var maxBits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var bits = maxBits;
        if (slash >= 0 && (!int.TryParse(trimmed.AsSpan(slash + 1), out bits) || bits < 0 || bits > maxBits))
        {
            throw new FormatException($"{key}: '{text}' has an invalid prefix length.");
        }
        try
        {
            // Unlike IPNetwork.Parse, the constructor refuses host bits ("10.0.0.1/8"): an operator typo should fail loudly.
            return new IPNetwork(address, bits);
        }
        catch (ArgumentException)
        {
            throw new FormatException($"{key}: '{text}' has host bits set after the prefix.");
        }
    }
}
