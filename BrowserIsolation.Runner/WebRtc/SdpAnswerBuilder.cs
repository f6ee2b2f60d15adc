using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// Answers a browser's offer as an ICE-lite, send-only endpoint (JSEP, RFC 8829 section 5.3): the first usable
/// video section (VP8) is accepted, and the first bundled audio section (Opus) when this runner has sound; both share
/// one BUNDLEd transport, and every other section is rejected with port 0. Throws
/// <see cref="SdpException"/> when the offer cannot be answered.
/// </summary>
public static class SdpAnswerBuilder
{
    public const string PlayoutDelayUri = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
    public const string AbsSendTimeUri = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    public const string TransportCcFeedback = "transport-cc";
    private const string SecureProfile = "UDP/TLS/RTP/SAVPF";

    public static SdpAnswer Answer(SdpOffer offer, SdpAnswerOptions options)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Candidates.Count == 0)
        {
            throw new InvalidOperationException("An answer needs at least one local candidate.");
        }
        var video = SelectVideo(offer, out var refusal)
            ?? throw new SdpException(refusal ?? "The offer has no video section to answer.");

        var ufrag = video.IceUfrag ?? offer.SessionIceUfrag;
        var pwd = video.IcePwd ?? offer.SessionIcePwd;
        if (string.IsNullOrEmpty(ufrag) || ufrag.Length is < 4 or > 256 || !ufrag.All(IsIceChar))
        {
            throw new SdpException("The offer has no valid a=ice-ufrag (4 to 256 ice-chars).");
        }
        if (string.IsNullOrEmpty(pwd) || pwd.Length is < 22 or > 256 || !pwd.All(IsIceChar))
        {
            throw new SdpException("The offer has no valid a=ice-pwd (22 to 256 ice-chars).");
        }
        var fingerprint = SelectFingerprint(video.Fingerprints.Concat(offer.SessionFingerprints))
            ?? throw new SdpException("The offer has no a=fingerprint with a supported hash (sha-1, sha-256, sha-384, sha-512).");
        var localRole = (video.Setup ?? offer.SessionSetup ?? "actpass").Trim().ToLowerInvariant() switch
        {
            "actpass" => options.PreferDtlsClient ? DtlsRole.Client : DtlsRole.Server,
            "active" => DtlsRole.Server,
            "passive" => DtlsRole.Client,
            var other => throw new SdpException($"a=setup:{other} is not supported (actpass, active or passive)."),
        };
        if (!video.RtcpMux)
        {
            throw new SdpException("The video section must offer a=rtcp-mux.");
        }

        var vp8 = video.Formats
            .Select(f => int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) ? pt : -1)
            .First(pt => pt >= 0 && video.RtpMaps.TryGetValue(pt, out var map) && IsVp8(map));
        int? rtx = null;
        if (options.RtxSsrc is not null)
        {
            foreach (var (pt, map) in video.RtpMaps)
            {
                if (string.Equals(map.Encoding, "rtx", StringComparison.OrdinalIgnoreCase)
                    && video.Formats.Contains(pt.ToString(CultureInfo.InvariantCulture))
                    && video.Fmtps.TryGetValue(pt, out var fmtp)
                    && fmtp.Split(';').Any(p => p.Trim() == "apt=" + vp8.ToString(CultureInfo.InvariantCulture)))
                {
                    rtx = pt;
                    break;
                }
            }
        }
        var negotiated = new NegotiatedVideo(
            video.Mid,
            vp8,
            rtx,
            options.VideoSsrc,
            rtx is null ? null : options.RtxSsrc,
            OneByteId(video.FindExtension(PlayoutDelayUri)),
            OneByteId(video.FindExtension(AbsSendTimeUri)),
            Nack: video.HasFeedback(vp8, "nack"),
            Pli: video.HasFeedback(vp8, "nack pli"),
            Fir: video.HasFeedback(vp8, "ccm fir"),
            Remb: video.HasFeedback(vp8, "goog-remb"),
            ReducedSizeRtcp: video.RtcpReducedSize,
            Cname: options.Cname,
            TransportCcExtensionId: options.TransportCc ? TransportCcId(video, vp8) : null);

        var audioSection = options.AudioSsrc is null ? null : SelectAudio(offer, video);
        var audio = audioSection is null
            ? null
            : new NegotiatedAudio(audioSection.Mid, OpusPayloadType(audioSection)!.Value, options.AudioSsrc!.Value, options.Cname,
                // One counter for the transport: audio joins only when the video has it.
                negotiated.TransportCc ? TransportCcId(audioSection, OpusPayloadType(audioSection)!.Value) : null);

        var sdp = Write(offer, video, audioSection, negotiated, audio, options, localRole);
        return new SdpAnswer(sdp, negotiated, localRole, fingerprint, ufrag, pwd) { Audio = audio };
    }

    /// <summary>Transport-cc needs both the header extension (one-byte id) and the rtcp-fb for the codec.</summary>
    private static int? TransportCcId(SdpMediaDescription media, int payloadType) =>
        media.HasFeedback(payloadType, TransportCcFeedback) ? OneByteId(media.FindExtension(RtpExtensionUris.TransportWideCc)) : null;

    /// <summary>We write one-byte header extensions (RFC 8285), so only ids 1-14 can be accepted.</summary>
    private static int? OneByteId(int? id) => id is >= 1 and <= 14 ? id : null;

    private static SdpMediaDescription? SelectVideo(SdpOffer offer, out string? refusal)
    {
        refusal = null;
        foreach (var media in offer.Media)
        {
            if (!string.Equals(media.Kind, "video", StringComparison.Ordinal))
            {
                continue;
            }
            var reason = WhyNotUsable(media);
            if (reason is null)
            {
                return media;
            }
            refusal ??= reason;
        }
        return null;
    }

    private static string? WhyNotUsable(SdpMediaDescription media)
    {
        if (media.Port == 0)
        {
            return "The offer's video section is disabled (port 0).";
        }
        if (!string.Equals(media.Protocol, SecureProfile, StringComparison.OrdinalIgnoreCase))
        {
            return $"The video section uses {media.Protocol}; only {SecureProfile} is supported.";
        }
        if (media.Direction is "sendonly" or "inactive")
        {
            return $"The video section is {media.Direction}; it must be able to receive video (recvonly or sendrecv).";
        }
        var hasVp8 = media.Formats.Any(f => int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var pt)
            && media.RtpMaps.TryGetValue(pt, out var map) && IsVp8(map));
        return hasVp8 ? null : "The video section does not offer VP8/90000.";
    }

    private static bool IsVp8((string Encoding, int ClockRate) map) =>
        string.Equals(map.Encoding, "VP8", StringComparison.OrdinalIgnoreCase) && map.ClockRate == 90000;

    private static CertificateFingerprint? SelectFingerprint(IEnumerable<(string Algorithm, string Value)> candidates)
    {
        CertificateFingerprint? best = null;
        foreach (var (algorithm, value) in candidates)
        {
            if (CertificateFingerprint.TryParse(algorithm, value, out var parsed))
            {
                if (parsed!.Algorithm == "sha-256")
                {
                    return parsed;
                }
                best ??= parsed;
            }
        }
        return best;
    }

    private static bool IsIceChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/';

    private static SdpMediaDescription? SelectAudio(SdpOffer offer, SdpMediaDescription video)
    {
        // One transport: audio rides the video's, so it must be in the same BUNDLE group.
        if (video.Mid is null || !offer.BundleMids.Contains(video.Mid))
        {
            return null;
        }
        return offer.Media.FirstOrDefault(m => string.Equals(m.Kind, "audio", StringComparison.Ordinal)
            && m.Port != 0 && m.Mid is not null && offer.BundleMids.Contains(m.Mid) && m.RtcpMux
            && string.Equals(m.Protocol, SecureProfile, StringComparison.OrdinalIgnoreCase)
            && m.Direction is not ("sendonly" or "inactive")
            && OpusPayloadType(m) is not null);
    }

    private static int? OpusPayloadType(SdpMediaDescription media)
    {
        foreach (var format in media.Formats)
        {
            if (int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) && media.RtpMaps.TryGetValue(pt, out var map)
                && string.Equals(map.Encoding, "opus", StringComparison.OrdinalIgnoreCase) && map.ClockRate == 48000)
            {
                return pt;
            }
        }
        return null;
    }

    private static string Write(SdpOffer offer, SdpMediaDescription video, SdpMediaDescription? audioSection, NegotiatedVideo negotiated,
        NegotiatedAudio? audio, SdpAnswerOptions options, DtlsRole localRole)
    {
        var sb = new StringBuilder(2048);
        void Line(string text) => sb.Append(text).Append("\r\n");
        string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

        var sessionId = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) >> 2;
        Line("v=0");
        Line(I($"o=- {sessionId} 2 IN IP4 127.0.0.1"));
        Line("s=-");
        Line("t=0 0");
        Line("a=ice-lite");
        if (offer.BundleMids.Count > 0 && video.Mid is not null && offer.BundleMids.Contains(video.Mid))
        {
            var bundled = offer.Media.Where(m => ReferenceEquals(m, video) || ReferenceEquals(m, audioSection)).Select(m => m.Mid);
            Line("a=group:BUNDLE " + string.Join(' ', bundled));
        }
        Line("a=msid-semantic: WMS " + options.StreamId);

        var first = options.Candidates[0];
        var family = first.Address.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        void Transport(SdpMediaDescription media)
        {
            Line(I($"c=IN {family} {first.Address}"));
            Line("a=ice-ufrag:" + options.Ice.Ufrag);
            Line("a=ice-pwd:" + options.Ice.Password);
            Line($"a=fingerprint:{options.Fingerprint.Algorithm} {options.Fingerprint.Value}");
            Line(localRole == DtlsRole.Server ? "a=setup:passive" : "a=setup:active");
            if (media.Mid is not null)
            {
                Line("a=mid:" + media.Mid);
            }
        }
        void Candidates()
        {
            foreach (var candidate in options.Candidates)
            {
                Line("a=" + candidate.ToSdpValue());
            }
            Line("a=end-of-candidates");
        }
        foreach (var media in offer.Media)
        {
            if (ReferenceEquals(media, audioSection) && audio is not null)
            {
                Line(I($"m=audio {first.Port} {SecureProfile} {audio.PayloadType}"));
                Transport(media);
                Line("a=sendonly");
                Line($"a=msid:{options.StreamId} {options.AudioTrackId}");
                Line("a=rtcp-mux");
                if (audio.TransportCcExtensionId is { } audioTcc)
                {
                    Line(I($"a=extmap:{audioTcc} {RtpExtensionUris.TransportWideCc}"));
                }
                Line(I($"a=rtpmap:{audio.PayloadType} opus/48000/2"));
                if (audio.TransportCcExtensionId is not null)
                {
                    Line(I($"a=rtcp-fb:{audio.PayloadType} {TransportCcFeedback}"));
                }
                // stereo=1 asks the browser to decode both channels (RFC 7587 section 7.1); FEC is in band.
                Line(I($"a=fmtp:{audio.PayloadType} minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1"));
                Line(I($"a=ssrc:{audio.Ssrc} cname:{options.Cname}"));
                Line(I($"a=ssrc:{audio.Ssrc} msid:{options.StreamId} {options.AudioTrackId}"));
                Candidates();
                continue;
            }
            if (!ReferenceEquals(media, video))
            {
                Line($"m={media.Kind} 0 {media.Protocol} {string.Join(' ', media.Formats)}");
                Line("c=IN IP4 0.0.0.0");
                if (media.Mid is not null)
                {
                    Line("a=mid:" + media.Mid);
                }
                continue;
            }
            var formats = negotiated.RtxPayloadType is { } rtxPt ? I($"{negotiated.PayloadType} {rtxPt}") : I($"{negotiated.PayloadType}");
            Line(I($"m=video {first.Port} {SecureProfile} {formats}"));
            Transport(media);
            if (negotiated.AbsSendTimeExtensionId is { } abs)
            {
                Line(I($"a=extmap:{abs} {AbsSendTimeUri}"));
            }
            if (negotiated.PlayoutDelayExtensionId is { } playout)
            {
                Line(I($"a=extmap:{playout} {PlayoutDelayUri}"));
            }
            if (negotiated.TransportCcExtensionId is { } tcc)
            {
                Line(I($"a=extmap:{tcc} {RtpExtensionUris.TransportWideCc}"));
            }
            Line("a=sendonly");
            Line($"a=msid:{options.StreamId} {options.TrackId}");
            Line("a=rtcp-mux");
            if (negotiated.ReducedSizeRtcp)
            {
                Line("a=rtcp-rsize");
            }
            var pt = negotiated.PayloadType;
            Line(I($"a=rtpmap:{pt} VP8/90000"));
            if (negotiated.Remb) Line(I($"a=rtcp-fb:{pt} goog-remb"));
            if (negotiated.TransportCc) Line(I($"a=rtcp-fb:{pt} {TransportCcFeedback}"));
            if (negotiated.Fir) Line(I($"a=rtcp-fb:{pt} ccm fir"));
            if (negotiated.Nack) Line(I($"a=rtcp-fb:{pt} nack"));
            if (negotiated.Pli) Line(I($"a=rtcp-fb:{pt} nack pli"));
            if (negotiated.RtxPayloadType is { } rtx && negotiated.RtxSsrc is { } rtxSsrc)
            {
                Line(I($"a=rtpmap:{rtx} rtx/90000"));
                Line(I($"a=fmtp:{rtx} apt={pt}"));
                Line(I($"a=ssrc-group:FID {negotiated.Ssrc} {rtxSsrc}"));
            }
            Line(I($"a=ssrc:{negotiated.Ssrc} cname:{options.Cname}"));
            Line(I($"a=ssrc:{negotiated.Ssrc} msid:{options.StreamId} {options.TrackId}"));
            if (negotiated.RtxSsrc is { } rtxSsrc2)
            {
                Line(I($"a=ssrc:{rtxSsrc2} cname:{options.Cname}"));
                Line(I($"a=ssrc:{rtxSsrc2} msid:{options.StreamId} {options.TrackId}"));
            }
            Candidates();
        }
        return sb.ToString();
    }
}
