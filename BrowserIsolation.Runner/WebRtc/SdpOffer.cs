using System.Globalization;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// A browser's SDP offer (RFC 8866 syntax, JSEP content), parsed defensively: anything malformed is an
/// <see cref="SdpException"/> with the line at fault, never another exception.
/// </summary>
public sealed class SdpOffer
{
    public const int MaxLength = 256 * 1024;

    private SdpOffer()
    {
    }

    public IReadOnlyList<SdpMediaDescription> Media { get; private set; } = [];

    /// <summary>Mids of the first a=group:BUNDLE, empty when there is none.</summary>
    public IReadOnlyList<string> BundleMids { get; private set; } = [];

    public string? SessionIceUfrag { get; private set; }

    public string? SessionIcePwd { get; private set; }

    public string? SessionSetup { get; private set; }

    public IReadOnlyList<(string Algorithm, string Value)> SessionFingerprints { get; private set; } = [];

    public static SdpOffer Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new SdpException("The SDP offer is empty.");
        }
        if (text.Length > MaxLength)
        {
            throw new SdpException($"The SDP offer is longer than {MaxLength} characters.");
        }
        var offer = new SdpOffer();
        var media = new List<SdpMediaDescription>();
        var sessionFingerprints = new List<(string, string)>();
        SdpMediaDescription? current = null;
        var lines = text.Split('\n');
        var lineNumber = 0;
        var sawVersion = false;
        foreach (var rawLine in lines)
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            if (line.Length < 2 || line[1] != '=' || !char.IsAsciiLetterLower(line[0]))
            {
                throw new SdpException($"SDP line {lineNumber} is not of the form <type>=<value>.");
            }
            var type = line[0];
            var value = line[2..];
            if (!sawVersion)
            {
                if (type != 'v' || value.Trim() != "0")
                {
                    throw new SdpException("The SDP offer must start with v=0.");
                }
                sawVersion = true;
                continue;
            }
            switch (type)
            {
                case 'm':
                    current = ParseMediaLine(value, lineNumber);
                    media.Add(current);
                    break;
                case 'a':
                    ParseAttribute(offer, current, sessionFingerprints, value, lineNumber);
                    break;
            }
        }
        if (!sawVersion)
        {
            throw new SdpException("The SDP offer must start with v=0.");
        }
        if (media.Count == 0)
        {
            throw new SdpException("The SDP offer has no m= section.");
        }
        offer.Media = media;
        offer.SessionFingerprints = sessionFingerprints;
        return offer;
    }

    private static SdpMediaDescription ParseMediaLine(string value, int lineNumber)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4)
        {
            throw new SdpException($"SDP line {lineNumber}: an m= line needs <media> <port> <proto> <fmt>...");
        }
        var portText = parts[1].Split('/')[0];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new SdpException($"SDP line {lineNumber}: '{parts[1]}' is not a port.");
        }
        return new SdpMediaDescription { Kind = parts[0], Port = port, Protocol = parts[2], Formats = parts[3..] };
    }

    private static void ParseAttribute(SdpOffer offer, SdpMediaDescription? media, List<(string, string)> sessionFingerprints, string value, int lineNumber)
    {
        var colon = value.IndexOf(':');
        var name = colon < 0 ? value : value[..colon];
        var argument = colon < 0 ? "" : value[(colon + 1)..].Trim();
        switch (name)
        {
            case "group" when media is null:
                var group = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (group.Length > 0 && group[0] == "BUNDLE" && offer.BundleMids.Count == 0)
                {
                    offer.BundleMids = group[1..];
                }
                break;
            case "ice-ufrag":
                if (media is null) offer.SessionIceUfrag = argument; else media.IceUfrag = argument;
                break;
            case "ice-pwd":
                if (media is null) offer.SessionIcePwd = argument; else media.IcePwd = argument;
                break;
            case "setup":
                if (media is null) offer.SessionSetup = argument; else media.Setup = argument;
                break;
            case "fingerprint":
                var space = argument.IndexOf(' ');
                if (space <= 0)
                {
                    throw new SdpException($"SDP line {lineNumber}: a=fingerprint needs <hash> <value>.");
                }
                var fingerprint = (argument[..space], argument[(space + 1)..].Trim());
                if (media is null) sessionFingerprints.Add(fingerprint); else media.Fingerprints.Add(fingerprint);
                break;
            case "mid" when media is not null:
                media.Mid = argument;
                break;
            case "sendrecv" or "sendonly" or "recvonly" or "inactive" when media is not null:
                media.Direction = name;
                break;
            case "rtcp-mux" when media is not null:
                media.RtcpMux = true;
                break;
            case "rtcp-rsize" when media is not null:
                media.RtcpReducedSize = true;
                break;
            case "rtpmap" when media is not null:
                ParseRtpMap(media, argument, lineNumber);
                break;
            case "fmtp" when media is not null:
                if (TrySplitPayloadType(argument, out var fmtpType, out var parameters))
                {
                    media.Fmtps[fmtpType] = parameters;
                }
                break;
            case "rtcp-fb" when media is not null:
                if (TrySplitPayloadType(argument, out var fbType, out var feedback))
                {
                    if (!media.RtcpFeedback.TryGetValue(fbType, out var list))
                    {
                        media.RtcpFeedback[fbType] = list = [];
                    }
                    list.Add(feedback);
                }
                break;
            case "extmap" when media is not null:
                ParseExtmap(media, argument, lineNumber);
                break;
        }
    }

    private static void ParseRtpMap(SdpMediaDescription media, string argument, int lineNumber)
    {
        if (!TrySplitPayloadType(argument, out var payloadType, out var encoding))
        {
            throw new SdpException($"SDP line {lineNumber}: a=rtpmap needs <payload type> <encoding>/<clock rate>.");
        }
        var parts = encoding.Split('/');
        if (parts.Length < 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var clock))
        {
            throw new SdpException($"SDP line {lineNumber}: a=rtpmap needs <payload type> <encoding>/<clock rate>.");
        }
        media.RtpMaps[payloadType] = (parts[0], clock);
    }

    private static void ParseExtmap(SdpMediaDescription media, string argument, int lineNumber)
    {
        var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var idText = parts.Length > 0 ? parts[0].Split('/')[0] : "";
        if (parts.Length < 2 || !int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id is < 1 or > 255)
        {
            throw new SdpException($"SDP line {lineNumber}: a=extmap needs <id 1-255>[/direction] <uri>.");
        }
        media.Extensions[id] = parts[1];
    }

    private static bool TrySplitPayloadType(string argument, out int payloadType, out string rest)
    {
        var space = argument.IndexOf(' ');
        rest = space < 0 ? "" : argument[(space + 1)..].Trim();
        return int.TryParse(space < 0 ? argument : argument[..space], NumberStyles.None, CultureInfo.InvariantCulture, out payloadType)
            && payloadType <= 127
            && space > 0;
    }
}
