using System.Diagnostics;
using BrowserIsolation.Runner.Audio;
using BrowserIsolation.Runner.WebRtc.Congestion;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// The Opus side of one viewer: subscribes to the shared <see cref="AudioPipeline"/>, sends each frame as one RTP
/// packet on its own SSRC over the bundled transport, a Sender Report (+ SDES CNAME) on the same NTP clock as the
/// video (lip sync: the first half a second after start, then every 5 s, RFC 3550's minimum, since a silent stream
/// costs little more than its reports) and a BYE on dispose. No NACK: Opus carries its own FEC. With transport-cc,
/// each packet takes the peer's next transport-wide sequence number as it leaves.
/// </summary>
public sealed class AudioRtpSender : IDisposable
{
    private readonly RtpOpusPacketizer _packetizer;
    private readonly MediaPacketSender _sendRtp;
    private readonly MediaPacketSender _sendRtcp;
    private readonly string _cname;
    private readonly TransportSequencer? _sequencer;
    private readonly int _transportCcId;
    private readonly AudioSubscription _subscription;
    private readonly Timer _reportTimer;
    private long _framesSent;
    private long _sendFailures;
    private int _disposed;

    public AudioRtpSender(AudioPipeline pipeline, NegotiatedAudio audio, MediaPacketSender sendRtp, MediaPacketSender sendRtcp, TimeSpan? reportInterval = null,
        TransportSequencer? sequencer = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(audio);
        _ = RtcpWriter.SdesCnameSize(audio.Cname); // throws for a CNAME RTCP cannot carry
        _transportCcId = sequencer is null ? 0 : audio.TransportCcExtensionId ?? 0;
        _sequencer = _transportCcId > 0 ? sequencer : null;
        _packetizer = new RtpOpusPacketizer(audio.Ssrc, (byte)audio.PayloadType, transportCcExtensionId: _transportCcId);
        _sendRtp = sendRtp;
        _sendRtcp = sendRtcp;
        _cname = audio.Cname;
        var interval = reportInterval ?? TimeSpan.FromSeconds(5);
        _reportTimer = new Timer(_ => SendReport(), null, TimeSpan.FromMilliseconds(500), interval);
        _subscription = pipeline.Subscribe(OnFrame);
    }

    public uint Ssrc => _packetizer.Ssrc;

    public long FramesSent => Interlocked.Read(ref _framesSent);

    public long SendFailures => Interlocked.Read(ref _sendFailures);

    public long OctetsSent => _packetizer.OctetCount;

    private void OnFrame(EncodedAudioFrame frame)
    {
        if (Send(_packetizer.Packetize(frame)))
        {
            Interlocked.Increment(ref _framesSent);
        }
        else
        {
            Interlocked.Increment(ref _sendFailures);
        }
    }

    private bool Send(Span<byte> packet) => _sequencer is null ? _sendRtp(packet) : _sequencer.Send(packet, _transportCcId);

    private void SendReport(bool goodbye = false)
    {
        if (_packetizer.RtpTimestampAt(Stopwatch.GetTimestamp()) is not { } rtp)
        {
            return; // no SR before the first packet: there is no timeline to report yet
        }
        if (!SenderReport.TrySend(_sendRtcp, Ssrc, rtp, _packetizer.PacketCount, _packetizer.OctetCount, _cname, goodbye))
        {
            Interlocked.Increment(ref _sendFailures);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _subscription.Dispose();
        _reportTimer.Dispose();
        SendReport(goodbye: true);
    }
}
