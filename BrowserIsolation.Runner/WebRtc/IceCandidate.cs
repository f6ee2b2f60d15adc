using System.Globalization;
using System.Net;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>A host candidate we announce (RFC 8445 section 5.1.2: type preference 126 for host).</summary>
public sealed record IceCandidate(string Foundation, uint Priority, IPAddress Address, int Port)
{
    /// <summary>Host candidate priority; earlier entries in the list get a higher local preference.</summary>
    public static uint HostPriority(int index) => (126u << 24) | ((uint)(65535 - Math.Min(index, 65535)) << 8) | (256 - 1);

    public string ToSdpValue() =>
        string.Create(CultureInfo.InvariantCulture, $"candidate:{Foundation} 1 udp {Priority} {Address} {Port} typ host");
}
