using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// Parses a URL host the way browsers do (WHATWG URL "host parser" for special schemes), so that every spelling of an
/// address ends up as the same <see cref="IPAddress"/>: <c>2852039166</c>, <c>0x7f000001</c>, <c>017700000001</c>,
/// <c>0x7f.1</c>, <c>127.1</c>, <c>127.0.0.1.</c>, <c>%31%32%37.0.0.1</c>, fullwidth digits, <c>[::ffff:7f00:1]</c>.
/// Anything ambiguous fails rather than being guessed at.
/// </summary>
public static class HostNormalizer
{
    private const int MaxHostLength = 253;

    public static bool TryNormalize(string? input, out NormalizedHost host, out string error)
    {
        host = null!;
        if (string.IsNullOrEmpty(input))
        {
            error = "empty host";
            return false;
        }
        if (input.Length > 4 * MaxHostLength)
        {
            error = "host too long";
            return false;
        }

        if (input[0] == '[')
        {
            return TryParseBracketedIPv6(input, out host, out error);
        }

        if (!TryPercentDecode(input, out var decoded))
        {
            error = "invalid percent-encoding in host";
            return false;
        }
        if (!TryDomainToAscii(decoded, out var ascii, out error))
        {
            return false;
        }

        if (EndsInNumber(ascii))
        {
            if (!TryParseIPv4(ascii, out var v4))
            {
                error = $"'{ascii}' looks like an IPv4 address but is not a valid one";
                return false;
            }
            host = new NormalizedHost(v4.ToString(), v4);
            error = "";
            return true;
        }

        var name = ascii.EndsWith('.') ? ascii[..^1] : ascii;
        if (!IsValidDomain(name, out error))
        {
            return false;
        }
        host = new NormalizedHost(name, null);
        return true;
    }

    /// <summary>Convenience for callers that hold an <see cref="IPAddress"/> already.</summary>
    public static NormalizedHost FromAddress(IPAddress address)
    {
        var plain = StripScope(address);
        return new NormalizedHost(plain.ToString(), plain);
    }

    internal static IPAddress StripScope(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            return new IPAddress(address.GetAddressBytes());
        }
        return address;
    }

    private static bool TryParseBracketedIPv6(string input, out NormalizedHost host, out string error)
    {
        host = null!;
        if (input.Length < 3 || input[^1] != ']')
        {
            error = "unterminated IPv6 literal";
            return false;
        }
        var inner = input.AsSpan(1, input.Length - 2);
        // No zone ids, no whitespace: only what the WHATWG IPv6 parser accepts.
        foreach (var c in inner)
        {
            if (!(char.IsAsciiHexDigit(c) || c == ':' || c == '.'))
            {
                error = "invalid character in IPv6 literal";
                return false;
            }
        }
        if (!IPAddress.TryParse(inner, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            error = "invalid IPv6 literal";
            return false;
        }
        host = new NormalizedHost(address.ToString(), address);
        error = "";
        return true;
    }

    private static bool TryPercentDecode(string input, out string decoded)
    {
        if (!input.Contains('%'))
        {
            decoded = input;
            return true;
        }
        var bytes = new List<byte>(input.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < input.Length; i++)
        {
            var c = input[i];
            if (c == '%' && i + 2 < input.Length && char.IsAsciiHexDigit(input[i + 1]) && char.IsAsciiHexDigit(input[i + 2]))
            {
                bytes.Add((byte)Convert.ToInt32(input.Substring(i + 1, 2), 16));
                i += 2;
                continue;
            }
            if (c == '%')
            {
                // A bare '%' survives decoding and is then a forbidden domain code point.
                bytes.Add((byte)'%');
                continue;
            }
            var rune = char.IsSurrogatePair(input, i) ? new Rune(input[i], input[++i]) : new Rune(c);
            var n = rune.EncodeToUtf8(utf8);
            for (var k = 0; k < n; k++)
            {
                bytes.Add(utf8[k]);
            }
        }
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            decoded = "";
            return false;
        }
    }

    /// <summary>
    /// The parts of UTS #46 mapping that matter for address spoofing: fullwidth ASCII, the Unicode full stops and case.
    /// Any other non-ASCII number character is refused, because full UTS #46 would map it to an ASCII digit and this
    /// runtime (invariant globalization) cannot.
    /// </summary>
    private static bool TryDomainToAscii(string domain, out string ascii, out string error)
    {
        var sb = new StringBuilder(domain.Length);
        var nonAscii = false;
        foreach (var rune0 in domain.EnumerateRunes())
        {
            var rune = rune0;
            if (rune.Value is 0x3002 or 0xFF0E or 0xFF61)
            {
                rune = new Rune('.');
            }
            else if (rune.Value is >= 0xFF01 and <= 0xFF5E)
            {
                rune = new Rune(rune.Value - 0xFF01 + 0x21);
            }
            if (!rune.IsAscii)
            {
                if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber
                    or UnicodeCategory.OtherNumber or UnicodeCategory.OtherPunctuation or UnicodeCategory.MathSymbol)
                {
                    ascii = "";
                    error = "host contains non-ASCII digits or symbols";
                    return false;
                }
                nonAscii = true;
            }
            sb.Append(Rune.ToLowerInvariant(rune).ToString());
        }

        ascii = sb.ToString();
        if (nonAscii)
        {
            try
            {
                ascii = new IdnMapping { AllowUnassigned = false, UseStd3AsciiRules = false }.GetAscii(ascii).ToLowerInvariant();
            }
            catch (ArgumentException)
            {
                error = "host is not a valid internationalised domain name";
                return false;
            }
        }
        error = "";
        return ascii.Length > 0;
    }

    private static bool IsValidDomain(string name, out string error)
    {
        if (name.Length is 0 or > MaxHostLength)
        {
            error = "host name is empty or too long";
            return false;
        }
        var labelLength = 0;
        foreach (var c in name)
        {
            if (c == '.')
            {
                if (labelLength == 0)
                {
                    error = "host name has an empty label";
                    return false;
                }
                labelLength = 0;
                continue;
            }
            // Stricter than WHATWG on purpose: nothing DNS could not carry.
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
            {
                error = $"host contains the character '{c}'";
                return false;
            }
            if (++labelLength > 63)
            {
                error = "host name label longer than 63 characters";
                return false;
            }
        }
        error = "";
        return true;
    }

    private static List<string> SplitIPv4Parts(string input)
    {
        var parts = input.Split('.').ToList();
        if (parts.Count > 1 && parts[^1].Length == 0)
        {
            parts.RemoveAt(parts.Count - 1);
        }
        return parts;
    }

    /// <summary>WHATWG "ends in a number": such a host must be an IPv4 address or nothing.</summary>
    internal static bool EndsInNumber(string input)
    {
        var parts = SplitIPv4Parts(input);
        var last = parts[^1];
        if (last.Length > 0 && last.All(char.IsAsciiDigit))
        {
            return true;
        }
        return TryParseIPv4Number(last, out _);
    }

    internal static bool TryParseIPv4(string input, out IPAddress address)
    {
        address = IPAddress.None;
        var parts = SplitIPv4Parts(input);
        if (parts.Count > 4)
        {
            return false;
        }
        var numbers = new ulong[parts.Count];
        for (var i = 0; i < parts.Count; i++)
        {
            if (!TryParseIPv4Number(parts[i], out numbers[i]))
            {
                return false;
            }
        }
        for (var i = 0; i < numbers.Length - 1; i++)
        {
            if (numbers[i] > 255)
            {
                return false;
            }
        }
        var lastLimit = 1UL << (8 * (5 - numbers.Length));
        if (numbers[^1] >= lastLimit)
        {
            return false;
        }
        var value = numbers[^1];
        for (var i = 0; i < numbers.Length - 1; i++)
        {
            value += numbers[i] << (8 * (3 - i));
        }
        address = new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        return true;
    }

    private static bool TryParseIPv4Number(string input, out ulong value)
    {
        value = 0;
        if (input.Length == 0)
        {
            return false;
        }
        var radix = 10;
        var digits = input.AsSpan();
        if (digits.Length >= 2 && digits[0] == '0' && digits[1] is 'x' or 'X')
        {
            radix = 16;
            digits = digits[2..];
        }
        else if (digits.Length >= 2 && digits[0] == '0')
        {
            radix = 8;
            digits = digits[1..];
        }
        foreach (var c in digits)
        {
            int d;
            if (char.IsAsciiDigit(c))
            {
                d = c - '0';
            }
            else if (radix == 16 && char.IsAsciiHexDigit(c))
            {
                d = (c | 0x20) - 'a' + 10;
            }
            else
            {
                return false;
            }
            if (d >= radix)
            {
                return false;
            }
            value = value * (ulong)radix + (ulong)d;
            if (value > uint.MaxValue)
            {
                // Too big for any IPv4 part; keep a sentinel instead of overflowing.
                value = (ulong)uint.MaxValue + 1;
            }
        }
        return true;
    }
}
