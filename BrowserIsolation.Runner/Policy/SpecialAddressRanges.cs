using System.Net;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// Address ranges a remote browser must not reach by default. Sources: RFC 6890 and the IANA special-purpose
/// registries. More specific rows come first; the first match wins.
/// </summary>
internal static class SpecialAddressRanges
{
    private const RangeTreatment Refuse = RangeTreatment.Refuse;
    private const RangeTreatment Always = RangeTreatment.RefuseAlways;
    private const RangeTreatment Embeds = RangeTreatment.EmbedsIPv4;

    public static readonly IReadOnlyList<SpecialAddressRange> IPv4 =
    [
        SpecialAddressRange.Of("255.255.255.255/32", Always, "broadcast", "the limited broadcast address"),
        SpecialAddressRange.Of("0.0.0.0/8", Always, "this_network", "a 0.0.0.0/8 \"this network\" address (reaches this host)"),
        SpecialAddressRange.Of("224.0.0.0/4", Always, "multicast", "a multicast address"),
        SpecialAddressRange.Of("127.0.0.0/8", Refuse, "loopback", "a loopback address"),
        SpecialAddressRange.Of("10.0.0.0/8", Refuse, "private", "a private (RFC 1918) address"),
        SpecialAddressRange.Of("172.16.0.0/12", Refuse, "private", "a private (RFC 1918) address"),
        SpecialAddressRange.Of("192.168.0.0/16", Refuse, "private", "a private (RFC 1918) address"),
        SpecialAddressRange.Of("169.254.0.0/16", Refuse, "link_local", "a link-local address (cloud metadata services live here)"),
        SpecialAddressRange.Of("100.64.0.0/10", Refuse, "cgnat", "a carrier-grade NAT (RFC 6598) address"),
        SpecialAddressRange.Of("192.0.0.0/24", Refuse, "reserved", "an IETF protocol assignment (192.0.0.0/24)"),
        SpecialAddressRange.Of("192.0.2.0/24", Refuse, "documentation", "a documentation address (TEST-NET-1)"),
        SpecialAddressRange.Of("198.51.100.0/24", Refuse, "documentation", "a documentation address (TEST-NET-2)"),
        SpecialAddressRange.Of("203.0.113.0/24", Refuse, "documentation", "a documentation address (TEST-NET-3)"),
        SpecialAddressRange.Of("192.88.99.0/24", Refuse, "reserved", "a deprecated 6to4 relay anycast address"),
        SpecialAddressRange.Of("198.18.0.0/15", Refuse, "benchmarking", "a benchmarking (RFC 2544) address"),
        SpecialAddressRange.Of("240.0.0.0/4", Refuse, "reserved", "a reserved (240.0.0.0/4) address"),
    ];

    public static readonly IReadOnlyList<SpecialAddressRange> IPv6 =
    [
        SpecialAddressRange.Of("::/128", Always, "this_network", "the unspecified address :: (reaches this host)"),
        SpecialAddressRange.Of("::1/128", Refuse, "loopback", "the IPv6 loopback address"),
        SpecialAddressRange.Of("::ffff:0:0/96", Embeds, "ipv4_mapped", "an IPv4-mapped IPv6 address"),
        SpecialAddressRange.Of("::ffff:0:0:0/96", Embeds, "ipv4_translated", "an IPv4-translated (SIIT) IPv6 address"),
        SpecialAddressRange.Of("::/96", Refuse, "ipv4_compatible", "a deprecated IPv4-compatible IPv6 address"),
        SpecialAddressRange.Of("64:ff9b::/96", Embeds, "nat64", "a NAT64 (64:ff9b::/96) address"),
        SpecialAddressRange.Of("64:ff9b:1::/48", Refuse, "nat64_local", "a local-use NAT64 (64:ff9b:1::/48) address"),
        SpecialAddressRange.Of("2002::/16", Embeds, "6to4", "a 6to4 (2002::/16) address"),
        SpecialAddressRange.Of("100::/64", Refuse, "reserved", "a discard-only (100::/64) address"),
        SpecialAddressRange.Of("2001:db8::/32", Refuse, "documentation", "a documentation (2001:db8::/32) address"),
        SpecialAddressRange.Of("2001::/23", Refuse, "reserved", "an IETF protocol assignment (2001::/23: Teredo, ORCHID, benchmarking)"),
        SpecialAddressRange.Of("3fff::/20", Refuse, "documentation", "a documentation (3fff::/20) address"),
        SpecialAddressRange.Of("5f00::/16", Refuse, "reserved", "a segment-routing SID (5f00::/16) address"),
        SpecialAddressRange.Of("fc00::/7", Refuse, "unique_local", "a unique-local (fc00::/7) address"),
        SpecialAddressRange.Of("fe80::/10", Refuse, "link_local", "a link-local (fe80::/10) address"),
        SpecialAddressRange.Of("fec0::/10", Refuse, "site_local", "a deprecated site-local (fec0::/10) address"),
        SpecialAddressRange.Of("ff00::/8", Always, "multicast", "a multicast address"),
    ];

    public static SpecialAddressRange? Find(IPAddress address)
    {
        var table = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? IPv4 : IPv6;
        foreach (var range in table)
        {
            if (range.Network.Contains(address))
            {
                return range;
            }
        }
        return null;
    }

    /// <summary>The IPv4 address an <see cref="RangeTreatment.EmbedsIPv4"/> range carries.</summary>
    public static IPAddress EmbeddedIPv4(IPAddress v6, SpecialAddressRange range)
    {
        Span<byte> bytes = stackalloc byte[16];
        v6.TryWriteBytes(bytes, out _);
        // 6to4 puts the IPv4 address right after the 2002::/16 prefix; the other forms put it in the low 32 bits.
        var offset = range.Category == "6to4" ? 2 : 12;
        return new IPAddress(bytes.Slice(offset, 4));
    }
}
