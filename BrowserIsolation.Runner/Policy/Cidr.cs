using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// An address prefix compared byte for byte within one address family. Unlike <see cref="IPNetwork"/>, it neither
/// treats IPv4-mapped IPv6 addresses specially (IPNetwork.Contains returns false for them even inside ::ffff:0:0/96)
/// nor masks host bits silently ("10.0.0.1/8" is an error here).
/// </summary>
public readonly struct Cidr
{
    private readonly byte[] _prefix;

    private Cidr(byte[] prefix, int bits, AddressFamily family)
    {
        _prefix = prefix;
        Bits = bits;
        Family = family;
    }

    public int Bits { get; }

    public AddressFamily Family { get; }

    public static Cidr Parse(string text) =>
        TryParse(text, out var cidr, out var error) ? cidr : throw new FormatException($"'{text}': {error}");

    /// <summary>Accepts <c>address/bits</c> or a single address (a /32 or /128).</summary>
    public static bool TryParse(string text, out Cidr cidr, out string error)
    {
        cidr = default;
        var trimmed = text.Trim();
        var slash = trimmed.IndexOf('/');
        var addressText = slash < 0 ? trimmed : trimmed[..slash];
        if (addressText.Contains('%') || !IPAddress.TryParse(addressText, out var address))
        {
            error = "not an IP address or CIDR";
            return false;
        }
        var bytes = address.GetAddressBytes();
        var bits = bytes.Length * 8;
        if (slash >= 0 && (!int.TryParse(trimmed.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out bits) || bits > bytes.Length * 8))
        {
            error = "invalid prefix length";
            return false;
        }
        for (var i = 0; i < bytes.Length * 8; i++)
        {
            if (i >= bits && (bytes[i / 8] & (0x80 >> (i % 8))) != 0)
            {
                error = "host bits are set after the prefix";
                return false;
            }
        }
        cidr = new Cidr(bytes, bits, address.AddressFamily);
        error = "";
        return true;
    }

    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != Family)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        var full = Bits / 8;
        if (!bytes[..full].SequenceEqual(_prefix.AsSpan(0, full)))
        {
            return false;
        }
        var rest = Bits % 8;
        if (rest == 0)
        {
            return true;
        }
        var mask = (byte)(0xFF << (8 - rest));
        return (bytes[full] & mask) == _prefix[full];
    }

    public override string ToString() => $"{new IPAddress(_prefix)}/{Bits}";
}
