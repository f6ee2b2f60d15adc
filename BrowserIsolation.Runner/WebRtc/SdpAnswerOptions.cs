namespace BrowserIsolation.Runner.WebRtc;

/// <summary>Our side of an answer: credentials, certificate, candidates and the stream identities.</summary>
public sealed record SdpAnswerOptions
{
    public required IceCredentials Ice { get; init; }

    public required CertificateFingerprint Fingerprint { get; init; }

    public required IReadOnlyList<IceCandidate> Candidates { get; init; }

    public required uint VideoSsrc { get; init; }

    /// <summary>SSRC for RFC 4588 retransmissions; RTX is negotiated only when set and the offer has rtx for VP8.</summary>
    public uint? RtxSsrc { get; init; }

    /// <summary>SSRC of the Opus stream; null when this runner has no sound (an audio section is then rejected).</summary>
    public uint? AudioSsrc { get; init; }

    public string AudioTrackId { get; init; } = "page-audio";

    /// <summary>Answer an actpass offer with a=setup:active (we send the ClientHello) instead of passive.</summary>
    public bool PreferDtlsClient { get; init; }

    public string Cname { get; init; } = "browser-isolation";

    /// <summary>Accept transport-wide congestion control (extension + rtcp-fb transport-cc) when offered.</summary>
    public bool TransportCc { get; init; }

    public string StreamId { get; init; } = "screen";

    public string TrackId { get; init; } = "screen-video";
}
