using System.Net;

namespace BrowserIsolation.Runner.Policy;

/// <summary>How a special-purpose range is treated by <see cref="AddressGuard"/>.</summary>
internal enum RangeTreatment
{
    /// <summary>Refused unless an operator allow rule matches.</summary>
    Refuse,

    /// <summary>Refused even when an operator allow rule matches: never a real destination (0.0.0.0 reaches this host on Linux).</summary>
    RefuseAlways,

    /// <summary>Carries an IPv4 address in its low 32 bits (or bits 16-47 for 6to4): judge that address instead.</summary>
    EmbedsIPv4,
}

/// <summary>One row of the special-purpose address table (IANA IPv4/IPv6 special-purpose registries).</summary>
internal sealed record SpecialAddressRange(Cidr Network, RangeTreatment Treatment, string Category, string Description)
{
    public static SpecialAddressRange Of(string cidr, RangeTreatment treatment, string category, string description) =>
        new(Cidr.Parse(cidr), treatment, category, description);
}
