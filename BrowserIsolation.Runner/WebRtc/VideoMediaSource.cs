using BrowserIsolation.Runner.Media;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// Connects each WebRTC peer to the runner's one <see cref="VideoPipeline"/>: a <see cref="VideoRtpSender"/> per
/// peer, configured from what its SDP negotiated, sending through the peer's SRTP and fed the peer's RTCP.
/// </summary>
public sealed class VideoMediaSource(VideoPipeline pipeline) : IWebRtcMediaSource
{
    /// <summary>Largest clear RTP packet: 1200-byte datagrams minus the SRTP tag (16 for GCM, 10 for CM-SHA1-80).</summary>
    public const int MaxRtpPacketSize = DtlsTransport.DefaultMtu - 16;

    public VideoPipeline Pipeline => pipeline;

    public IDisposable Attach(WebRtcPeer peer)
    {
        var video = peer.Video;
        var settings = new VideoRtpSenderSettings(video.Ssrc, (byte)video.PayloadType, video.Cname)
        {
            Extensions = new RtpHeaderExtensionIds(video.PlayoutDelayExtensionId ?? 0, video.AbsSendTimeExtensionId ?? 0),
            RtxSsrc = video.RtxPayloadType is null ? null : video.RtxSsrc,
            RtxPayloadType = video.RtxPayloadType is { } rtx ? (byte)rtx : null,
            MaxPacketSize = MaxRtpPacketSize,
        };
        var sender = new VideoRtpSender(pipeline, settings, peer.SendRtp, peer.SendRtcp);
        peer.RtcpReceived += sender.HandleRtcp;
        peer.VideoSender = sender;
        return new Attachment(peer, sender);
    }

    private sealed class Attachment(WebRtcPeer peer, VideoRtpSender sender) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                peer.RtcpReceived -= sender.HandleRtcp;
                sender.Dispose();
            }
        }
    }
}
