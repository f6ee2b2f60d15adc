namespace BrowserIsolation.Runner.WebRtc;

/// <summary>The answer text plus what it settled with the offerer.</summary>
public sealed record SdpAnswer(
    string Sdp,
    NegotiatedVideo Video,
    DtlsRole LocalDtlsRole,
    CertificateFingerprint RemoteFingerprint,
    string RemoteIceUfrag,
    string RemoteIcePwd)
{
    /// <summary>The Opus stream, when the offer had an audio section we could bundle and this runner has sound.</summary>
    public NegotiatedAudio? Audio { get; init; }
}
