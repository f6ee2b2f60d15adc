using System.Net;
using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public class SdpTests
{
    private static readonly IceCredentials Ice = new("aBcD1234", "0123456789abcdefghijklmn");
    private static readonly CertificateFingerprint Fingerprint =
        CertificateFingerprint.Compute("sha-256", "not really a certificate"u8);

    private static SdpAnswerOptions Options(uint? rtxSsrc = null, uint? audioSsrc = null, bool transportCc = false) => new()
    {
        TransportCc = transportCc,
        AudioSsrc = audioSsrc,
        Ice = Ice,
        Fingerprint = Fingerprint,
        Candidates =
        [
            new IceCandidate("1", IceCandidate.HostPriority(0), IPAddress.Loopback, 40000),
            new IceCandidate("2", IceCandidate.HostPriority(1), IPAddress.Parse("10.1.2.3"), 40000),
        ],
        VideoSsrc = 0x12345679,
        RtxSsrc = rtxSsrc,
        Cname = "cname-x",
    };

    private static string[] Lines(string sdp) => sdp.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void ChromiumOfferParses()
    {
        var offer = SdpOffer.Parse(Vectors.ReadSdp("chromium156-recvonly-video.sdp"));
        Assert.Equal(["0"], offer.BundleMids);
        var video = Assert.Single(offer.Media);
        Assert.Equal("video", video.Kind);
        Assert.Equal("UDP/TLS/RTP/SAVPF", video.Protocol);
        Assert.Equal("0", video.Mid);
        Assert.Equal("recvonly", video.Direction);
        Assert.Equal("actpass", video.Setup);
        Assert.True(video.RtcpMux);
        Assert.True(video.RtcpReducedSize);
        Assert.Equal(("VP8", 90000), video.RtpMaps[96]);
        Assert.Equal("apt=96", video.Fmtps[97]);
        Assert.Equal(5, video.FindExtension(SdpAnswerBuilder.PlayoutDelayUri));
        Assert.Equal(2, video.FindExtension(SdpAnswerBuilder.AbsSendTimeUri));
        Assert.Equal("sha-256", Assert.Single(video.Fingerprints).Algorithm);
    }

    [Fact]
    public void AnswerToChromiumIsIceLitePassiveSendOnlyVp8()
    {
        var offer = SdpOffer.Parse(Vectors.ReadSdp("chromium156-recvonly-video.sdp"));
        var answer = SdpAnswerBuilder.Answer(offer, Options());
        var lines = Lines(answer.Sdp);
        Assert.Equal("v=0", lines[0]);
        Assert.Contains("a=ice-lite", lines);
        Assert.Contains("a=group:BUNDLE 0", lines);
        Assert.Contains("m=video 40000 UDP/TLS/RTP/SAVPF 96", lines);
        Assert.Contains("c=IN IP4 127.0.0.1", lines);
        Assert.Contains("a=ice-ufrag:aBcD1234", lines);
        Assert.Contains("a=ice-pwd:0123456789abcdefghijklmn", lines);
        Assert.Contains("a=fingerprint:sha-256 " + Fingerprint.Value, lines);
        Assert.Contains("a=setup:passive", lines);
        Assert.Contains("a=mid:0", lines);
        Assert.Contains("a=sendonly", lines);
        Assert.Contains("a=rtcp-mux", lines);
        Assert.Contains("a=rtcp-rsize", lines);
        Assert.Contains("a=rtpmap:96 VP8/90000", lines);
        Assert.Contains("a=rtcp-fb:96 nack", lines);
        Assert.Contains("a=rtcp-fb:96 nack pli", lines);
        Assert.Contains("a=rtcp-fb:96 ccm fir", lines);
        Assert.Contains("a=rtcp-fb:96 goog-remb", lines);
        Assert.DoesNotContain(lines, l => l.Contains("transport-cc"));
        Assert.Contains("a=extmap:5 " + SdpAnswerBuilder.PlayoutDelayUri, lines);
        Assert.Contains("a=extmap:2 " + SdpAnswerBuilder.AbsSendTimeUri, lines);
        Assert.Equal(2, lines.Count(l => l.StartsWith("a=extmap:", StringComparison.Ordinal)));
        Assert.Contains("a=ssrc:305419897 cname:cname-x", lines);
        Assert.Contains($"a=candidate:1 1 udp {IceCandidate.HostPriority(0)} 127.0.0.1 40000 typ host", lines);
        Assert.Contains($"a=candidate:2 1 udp {IceCandidate.HostPriority(1)} 10.1.2.3 40000 typ host", lines);
        Assert.Equal("a=end-of-candidates", lines[^1]);
        Assert.DoesNotContain(lines, l => l.Contains("VP9") || l.Contains("H264") || l.Contains("rtx"));

        Assert.Equal(DtlsRole.Server, answer.LocalDtlsRole);
        Assert.Equal("sha-256", answer.RemoteFingerprint.Algorithm);
        Assert.Equal(96, answer.Video.PayloadType);
        Assert.Null(answer.Video.RtxPayloadType);
        Assert.Equal(5, answer.Video.PlayoutDelayExtensionId);
        Assert.Equal(2, answer.Video.AbsSendTimeExtensionId);
        Assert.True(answer.Video.Nack && answer.Video.Pli && answer.Video.Fir && answer.Video.Remb);
        Assert.Equal(offer.Media[0].IceUfrag, answer.RemoteIceUfrag);
        // The answer is valid SDP by our own parser too.
        SdpOffer.Parse(answer.Sdp);
    }

    [Fact]
    public void RtxIsNegotiatedWhenWeAskForIt()
    {
        var offer = SdpOffer.Parse(Vectors.ReadSdp("chromium156-recvonly-video.sdp"));
        var answer = SdpAnswerBuilder.Answer(offer, Options(rtxSsrc: 0x0BADCAFE));
        var lines = Lines(answer.Sdp);
        Assert.Equal(97, answer.Video.RtxPayloadType);
        Assert.Contains("m=video 40000 UDP/TLS/RTP/SAVPF 96 97", lines);
        Assert.Contains("a=fmtp:97 apt=96", lines);
        Assert.Contains($"a=ssrc-group:FID {0x12345679} {0x0BADCAFE}", lines);
    }

    [Fact]
    public void AudioAndDataSectionsAreRejectedAndLeftOutOfTheBundle()
    {
        var offer = SdpOffer.Parse(Vectors.ReadSdp("chromium156-audio-video-data.sdp"));
        Assert.Equal(["0", "1", "2"], offer.BundleMids);
        var answer = SdpAnswerBuilder.Answer(offer, Options());
        var lines = Lines(answer.Sdp);
        Assert.Contains("a=group:BUNDLE 1", lines);
        var mLines = lines.Where(l => l.StartsWith("m=", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, mLines.Length);
        Assert.StartsWith("m=audio 0 UDP/TLS/RTP/SAVPF 111", mLines[0]);
        Assert.Equal("m=video 40000 UDP/TLS/RTP/SAVPF 96", mLines[1]);
        Assert.Equal("m=application 0 UDP/DTLS/SCTP webrtc-datachannel", mLines[2]);
        Assert.Equal(["a=mid:0", "a=mid:1", "a=mid:2"], lines.Where(l => l.StartsWith("a=mid:", StringComparison.Ordinal)));
        Assert.Equal("1", answer.Video.Mid);
    }

    [Fact]
    public void WithSoundTheAudioSectionIsOpusBundledWithTheVideo()
    {
        var offer = SdpOffer.Parse(Vectors.ReadSdp("chromium156-audio-video-data.sdp"));
        var answer = SdpAnswerBuilder.Answer(offer, Options(audioSsrc: 0x0A0A0A0A));
        var lines = Lines(answer.Sdp);
        Assert.Contains("a=group:BUNDLE 0 1", lines);
        var mLines = lines.Where(l => l.StartsWith("m=", StringComparison.Ordinal)).ToArray();
        Assert.Equal("m=audio 40000 UDP/TLS/RTP/SAVPF 111", mLines[0]);
        Assert.Equal("m=video 40000 UDP/TLS/RTP/SAVPF 96", mLines[1]);
        Assert.StartsWith("m=application 0 ", mLines[2]);
        Assert.Contains("a=rtpmap:111 opus/48000/2", lines);
        Assert.Contains("a=fmtp:111 minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1", lines);
        Assert.Contains($"a=ssrc:{0x0A0A0A0A} cname:cname-x", lines);
        Assert.Equal(2, lines.Count(l => l == "a=sendonly"));
        Assert.Equal(2, lines.Count(l => l == "a=ice-ufrag:aBcD1234"));
        var audio = Assert.IsType<NegotiatedAudio>(answer.Audio);
        Assert.Equal(("0", 111, 0x0A0A0A0Au), (audio.Mid, audio.PayloadType, audio.Ssrc));
        // The answer parses back as an offer would: every section well-formed.
        Assert.Equal(3, SdpOffer.Parse(answer.Sdp).Media.Count);
    }

    [Theory]
    [InlineData("a=group:BUNDLE 0 1 2", "a=group:BUNDLE 1 2")] // audio not bundled: it would need its own transport
    [InlineData("a=rtpmap:111 opus/48000/2", "a=rtpmap:111 speex/48000")] // no Opus
    public void AnAudioSectionWeCannotServeIsRejected(string find, string replace)
    {
        var text = Vectors.ReadSdp("chromium156-audio-video-data.sdp").Replace(find, replace);
        Assert.NotEqual(Vectors.ReadSdp("chromium156-audio-video-data.sdp"), text);
        var answer = SdpAnswerBuilder.Answer(SdpOffer.Parse(text), Options(audioSsrc: 0x0A0A0A0A));
        Assert.Null(answer.Audio);
        Assert.StartsWith("m=audio 0 ", Lines(answer.Sdp).First(l => l.StartsWith("m=", StringComparison.Ordinal)));
    }

    [Fact]
    public void PassiveOfferMakesUsTheDtlsClient()
    {
        var text = Vectors.ReadSdp("chromium156-recvonly-video.sdp").Replace("a=setup:actpass", "a=setup:passive");
        var answer = SdpAnswerBuilder.Answer(SdpOffer.Parse(text), Options());
        Assert.Equal(DtlsRole.Client, answer.LocalDtlsRole);
        Assert.Contains("a=setup:active", Lines(answer.Sdp));
    }

    [Fact]
    public void ActpassOfferCanBeAnsweredActive()
    {
        var offer = SdpOffer.Parse(Vectors.ReadSdp("chromium156-recvonly-video.sdp"));
        var answer = SdpAnswerBuilder.Answer(offer, Options() with { PreferDtlsClient = true });
        Assert.Equal(DtlsRole.Client, answer.LocalDtlsRole);
        Assert.Contains("a=setup:active", Lines(answer.Sdp));
        var activeOffer = SdpOffer.Parse(Vectors.ReadSdp("chromium156-recvonly-video.sdp").Replace("a=setup:actpass", "a=setup:active"));
        Assert.Equal(DtlsRole.Server, SdpAnswerBuilder.Answer(activeOffer, Options() with { PreferDtlsClient = true }).LocalDtlsRole);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("hello world", "line 1")]
    [InlineData("o=- 1 2 IN IP4 127.0.0.1\r\n", "must start with v=0")]
    [InlineData("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", "no m= section")]
    [InlineData("v=0\r\nm=video\r\n", "m= line needs")]
    [InlineData("v=0\r\nm=video x UDP/TLS/RTP/SAVPF 96\r\n", "not a port")]
    [InlineData("v=0\r\nthis is not sdp\r\n", "line 2")]
    public void MalformedOffersAreSdpExceptions(string text, string expected)
    {
        var e = Assert.Throws<SdpException>(() => SdpAnswerBuilder.Answer(SdpOffer.Parse(text), Options()));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("a=rtpmap:96 VP8/90000", "a=rtpmap:96 H265/90000", "does not offer VP8")]
    [InlineData("a=recvonly", "a=sendonly", "must be able to receive")]
    [InlineData("a=recvonly", "a=inactive", "must be able to receive")]
    [InlineData("a=rtcp-mux\r\n", "", "rtcp-mux")]
    [InlineData("a=setup:actpass", "a=setup:holdconn", "holdconn")]
    [InlineData("a=fingerprint:sha-256", "a=fingerprint:md5", "fingerprint")]
    [InlineData("a=ice-pwd:", "a=ice-pwx:", "ice-pwd")]
    [InlineData("a=ice-ufrag:", "a=ice-ufrax:", "ice-ufrag")]
    [InlineData("m=video 9 ", "m=video 0 ", "port 0")]
    [InlineData("UDP/TLS/RTP/SAVPF", "RTP/AVP", "only UDP/TLS/RTP/SAVPF")]
    [InlineData("m=video", "m=audio", "no video section")]
    public void UnanswerableOffersSayWhy(string find, string replace, string expected)
    {
        var text = Vectors.ReadSdp("chromium156-recvonly-video.sdp");
        Assert.Contains(find, text);
        var e = Assert.Throws<SdpException>(() => SdpAnswerBuilder.Answer(SdpOffer.Parse(text.Replace(find, replace)), Options()));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ThousandsOfMutatedOffersOnlyEverThrowSdpException()
    {
        var original = Vectors.ReadSdp("chromium156-recvonly-video.sdp");
        var random = new Random(11);
        var answered = 0;
        for (var i = 0; i < 4000; i++)
        {
            var chars = original.ToCharArray();
            var mutations = random.Next(1, 20);
            for (var m = 0; m < mutations; m++)
            {
                var at = random.Next(chars.Length);
                chars[at] = random.Next(4) switch
                {
                    0 => (char)random.Next(0, 128),
                    1 => ':',
                    2 => '\n',
                    _ => (char)random.Next(0x80, 0xFFFF),
                };
            }
            var text = new string(chars);
            if (random.Next(5) == 0)
            {
                text = text[..random.Next(text.Length)];
            }
            try
            {
                SdpAnswerBuilder.Answer(SdpOffer.Parse(text), Options());
                answered++;
            }
            catch (SdpException)
            {
            }
        }
        Assert.InRange(answered, 1, 4000);
    }

    [Fact]
    public void TransportCcIsAnsweredOnVideoAndAudioWithTheOffersIdAndRembStays()
    {
        var offer = SdpOffer.Parse(Vectors.ReadSdp("chromium156-audio-video-data.sdp"));
        var answer = SdpAnswerBuilder.Answer(offer, Options(rtxSsrc: 0x2222, audioSsrc: 0x3333, transportCc: true));
        var lines = Lines(answer.Sdp);
        Assert.Equal(3, answer.Video.TransportCcExtensionId);
        Assert.True(answer.Video.TransportCc);
        Assert.Equal(3, answer.Audio!.TransportCcExtensionId);
        Assert.Equal(2, lines.Count(l => l == "a=extmap:3 " + RtpExtensionUris.TransportWideCc));
        Assert.Contains($"a=rtcp-fb:{answer.Video.PayloadType} transport-cc", lines);
        Assert.Contains($"a=rtcp-fb:{answer.Video.PayloadType} goog-remb", lines);
        Assert.Contains($"a=rtcp-fb:{answer.Audio.PayloadType} transport-cc", lines);
    }

    [Fact]
    public void TransportCcNeedsTheOptionTheExtensionAndTheFeedback()
    {
        var text = Vectors.ReadSdp("chromium156-audio-video-data.sdp");
        var off = SdpAnswerBuilder.Answer(SdpOffer.Parse(text), Options(audioSsrc: 0x3333));
        Assert.Null(off.Video.TransportCcExtensionId);
        Assert.Null(off.Audio!.TransportCcExtensionId);
        Assert.DoesNotContain(Lines(off.Sdp), l => l.Contains("transport-cc") || l.Contains(RtpExtensionUris.TransportWideCc));

        var noFeedback = SdpAnswerBuilder.Answer(SdpOffer.Parse(text.Replace("a=rtcp-fb:96 transport-cc", "a=rtcp-fb:96 x-not-offered")), Options(audioSsrc: 0x3333, transportCc: true));
        Assert.Null(noFeedback.Video.TransportCcExtensionId);
        Assert.Null(noFeedback.Audio!.TransportCcExtensionId); // audio joins only with the video

        var twoByteId = SdpAnswerBuilder.Answer(SdpOffer.Parse(text.Replace("a=extmap:3 http://www.ietf.org/id/draft-holmer", "a=extmap:20 http://www.ietf.org/id/draft-holmer")),
            Options(audioSsrc: 0x3333, transportCc: true));
        Assert.Null(twoByteId.Video.TransportCcExtensionId);
    }
}
