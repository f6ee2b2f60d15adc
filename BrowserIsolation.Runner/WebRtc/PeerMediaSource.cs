using BrowserIsolation.Runner.Audio;
using BrowserIsolation.Runner.Media;
using BrowserIsolation.Runner.WebRtc.Congestion;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// Connects each WebRTC peer to the runner's one <see cref="VideoPipeline"/> and, when its answer has audio, to the
/// one <see cref="AudioPipeline"/>: a sender per stream, configured from what the SDP negotiated, sending through the
/// peer's SRTP and fed the peer's RTCP.
/// </summary>
public sealed class PeerMediaSource(VideoPipeline pipeline, AudioPipeline? audio = null) : IWebRtcMediaSource
{
    /// <summary>The SRTP tag a packet grows by (16 for AEAD GCM, 10 for CM-SHA1-80): the larger one.</summary>
    public const int SrtpTagSize = 16;

    /// <summary>Largest clear RTP packet for a peer: its datagram size (Media:Mtu) minus the SRTP tag.</summary>
    public static int MaxRtpPacketSize(WebRtcPeer peer) => peer.Mtu - SrtpTagSize;

    public VideoPipeline Pipeline => pipeline;

    public AudioPipeline? Audio => audio;

    /// <summary>Whether answers may offer Opus: this runner captures sound (the policy may still switch it off).</summary>
    public bool HasAudio => audio?.IsAvailable == true;

    public IDisposable Attach(WebRtcPeer peer)
    {
        var video = peer.Video;
        var settings = new VideoRtpSenderSettings(video.Ssrc, (byte)video.PayloadType, video.Cname)
        {
            Extensions = new RtpHeaderExtensionIds(video.PlayoutDelayExtensionId ?? 0, video.AbsSendTimeExtensionId ?? 0, video.TransportCcExtensionId ?? 0),
            RtxSsrc = video.RtxPayloadType is null ? null : video.RtxSsrc,
            RtxPayloadType = video.RtxPayloadType is { } rtx ? (byte)rtx : null,
            MaxPacketSize = MaxRtpPacketSize(peer),
            ReservedBitrate = audio is not null && peer.Answer.Audio is not null ? audio.TransportBitrate : 0,
        };
        // One transport-wide sequence for everything this peer is sent.
        var sequencer = video.TransportCc ? new TransportSequencer(peer.SendRtp) : null;
        var sender = new VideoRtpSender(pipeline, settings, peer.SendRtp, peer.SendRtcp, sequencer);
        peer.RtcpReceived += sender.HandleRtcp;
        peer.VideoSender = sender;
        AudioRtpSender? audioSender = null;
        if (audio is not null && peer.Answer.Audio is { } negotiated)
        {
            audioSender = new AudioRtpSender(audio, negotiated, peer.SendRtp, peer.SendRtcp, sequencer: sequencer);
            peer.AudioSender = audioSender;
        }
        return new Attachment(peer, sender, audioSender);
    }

    private sealed class Attachment(WebRtcPeer peer, VideoRtpSender sender, AudioRtpSender? audioSender) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                peer.RtcpReceived -= sender.HandleRtcp;
                sender.Dispose();
                audioSender?.Dispose();
            }
        }
    }
}
