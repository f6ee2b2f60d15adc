namespace BrowserIsolation.Runner.WebRtc;

/// <summary>One m= section of a parsed offer with the attributes WebRTC answering needs.</summary>
public sealed class SdpMediaDescription
{
    public required string Kind { get; init; }

    public required int Port { get; init; }

    public required string Protocol { get; init; }

    public required IReadOnlyList<string> Formats { get; init; }

    public string? Mid { get; internal set; }

    /// <summary>sendrecv, sendonly, recvonly or inactive (sendrecv when absent, RFC 8866 section 6.7).</summary>
    public string? Direction { get; internal set; }

    public string? IceUfrag { get; internal set; }

    public string? IcePwd { get; internal set; }

    public string? Setup { get; internal set; }

    public bool RtcpMux { get; internal set; }

    public bool RtcpReducedSize { get; internal set; }

    public List<(string Algorithm, string Value)> Fingerprints { get; } = [];

    /// <summary>Payload type to (encoding name, clock rate).</summary>
    public Dictionary<int, (string Encoding, int ClockRate)> RtpMaps { get; } = [];

    public Dictionary<int, string> Fmtps { get; } = [];

    public Dictionary<int, List<string>> RtcpFeedback { get; } = [];

    /// <summary>Header extension id to URI.</summary>
    public Dictionary<int, string> Extensions { get; } = [];

    public int? FindExtension(string uri)
    {
        foreach (var (id, value) in Extensions)
        {
            if (string.Equals(value, uri, StringComparison.OrdinalIgnoreCase))
            {
                return id;
            }
        }
        return null;
    }

    public bool HasFeedback(int payloadType, string feedback) =>
        RtcpFeedback.TryGetValue(payloadType, out var list) && list.Contains(feedback, StringComparer.OrdinalIgnoreCase);
}
