using System.Buffers.Binary;
using System.Diagnostics;
using BrowserIsolation.Runner.Media;
using BrowserIsolation.Runner.WebRtc.Congestion;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// The RTP side of one viewer, over any transport that can send a clear packet (it protects and sends):
/// subscribes to the shared <see cref="VideoPipeline"/> (its first frame is a keyframe), packetizes each frame
/// (RFC 7741) and keeps the packets for NACK; answers the viewer's RTCP: PLI and FIR ask for a keyframe,
/// generic NACK resends from the history (as RFC 4588 RTX when negotiated), REMB and Receiver Report loss set
/// this viewer's bitrate limit; and sends a Sender Report (+ SDES CNAME) every interval, a BYE on dispose.
/// With transport-cc, every packet takes the peer's next transport-wide sequence number as it leaves, the viewer's
/// transport feedback drives a send-side estimate (capped by REMB when one arrives) instead of the REMB/RR controller,
/// and probe clusters (RTX copies of recent packets, paced) test whether the link takes more.
/// </summary>
public sealed class VideoRtpSender : IDisposable
{
    private readonly VideoRtpSenderSettings _settings;
    private readonly MediaPacketSender _sendRtp;
    private readonly MediaPacketSender _sendRtcp;
    private readonly RtpVp8Packetizer _packetizer;
    private readonly RtpPacketHistory _history;
    private readonly BitrateController _bitrate;
    private readonly VideoSubscription _subscription;
    private readonly Timer _reportTimer;
    private readonly Lock _rtcpGate = new();
    private readonly Dictionary<uint, byte> _lastFirSequence = [];
    private readonly TransportSequencer? _sequencer;
    private readonly TransportCongestionControl? _congestion;
    private int _rtxSequence;
    private int _probeCluster;
    private int _probing;
    private long _probesSent;
    private long _framesSent;
    private long _sendFailures;
    private long _pliReceived;
    private long _firReceived;
    private long _nackedPackets;
    private long _retransmitted;
    private long _malformedRtcp;
    private long _roundTripTicks = -1;
    private int _disposed;

    public VideoRtpSender(VideoPipeline pipeline, VideoRtpSenderSettings settings, MediaPacketSender sendRtp, MediaPacketSender sendRtcp,
        TransportSequencer? sequencer = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.RtxSsrc.HasValue != settings.RtxPayloadType.HasValue)
        {
            throw new ArgumentException("RTX needs both an SSRC and a payload type", nameof(settings));
        }
        _ = RtcpWriter.SdesCnameSize(settings.Cname); // throws for a CNAME RTCP cannot carry
        _settings = settings;
        _sendRtp = sendRtp;
        _sendRtcp = sendRtcp;
        _packetizer = new RtpVp8Packetizer(settings.Ssrc, settings.PayloadType, settings.Extensions, settings.MaxPacketSize);
        _history = new RtpPacketHistory(settings.HistoryCapacity, settings.HistoryMaxAge, maxPacketSize: settings.MaxPacketSize);
        _bitrate = new BitrateController(pipeline.Options);
        if (sequencer is not null && settings.Extensions.TransportSequenceNumber > 0)
        {
            var options = pipeline.Options.Normalized();
            _sequencer = sequencer;
            _congestion = new TransportCongestionControl(sequencer.History, options.Bitrate, options.MinBitrate, options.MaxBitrate);
        }
        _rtxSequence = Random.Shared.Next(0, 1 << 16);
        _reportTimer = new Timer(_ => SendReport(), null, settings.SenderReportInterval, settings.SenderReportInterval);
        _subscription = pipeline.Subscribe(OnFrame);
    }

    public uint Ssrc => _settings.Ssrc;

    public RtpVp8Packetizer Packetizer => _packetizer;

    /// <summary>This viewer's bitrate estimate (the whole transport's), applied minus the audio's share as its limit on the shared encoder.</summary>
    public int TargetBitrate => _congestion is null ? _bitrate.TargetBitrate : CappedEstimate();

    /// <summary>Transport-wide congestion control, when negotiated.</summary>
    public TransportCongestionControl? Congestion => _congestion;

    /// <summary>Probe clusters sent.</summary>
    public long ProbesSent => Interlocked.Read(ref _probesSent);

    public long FramesSent => Interlocked.Read(ref _framesSent);

    public long SendFailures => Interlocked.Read(ref _sendFailures);

    public long PliReceived => Interlocked.Read(ref _pliReceived);

    public long FirReceived => Interlocked.Read(ref _firReceived);

    /// <summary>Sequence numbers the viewer reported lost.</summary>
    public long NackedPackets => Interlocked.Read(ref _nackedPackets);

    /// <summary>Packets sent again (the rest had aged out of the history or were resent moments ago).</summary>
    public long Retransmitted => Interlocked.Read(ref _retransmitted);

    public long MalformedRtcp => Interlocked.Read(ref _malformedRtcp);

    /// <summary>Round-trip time from the last report block that echoed one of our Sender Reports.</summary>
    public TimeSpan? RoundTripTime
    {
        get
        {
            var ticks = Interlocked.Read(ref _roundTripTicks);
            return ticks < 0 ? null : TimeSpan.FromTicks(ticks);
        }
    }

    /// <summary>Handles one decrypted compound RTCP packet from the viewer. Never throws on bad input.</summary>
    public void HandleRtcp(ReadOnlySpan<byte> rtcp)
    {
        var parsed = RtcpParser.Parse(rtcp);
        if (!parsed.IsWellFormed)
        {
            Interlocked.Increment(ref _malformedRtcp);
        }
        var keyframe = false;
        var estimateChanged = false;
        lock (_rtcpGate)
        {
            foreach (var packet in parsed.Packets)
            {
                switch (packet)
                {
                    case RtcpPictureLossIndication pli when pli.MediaSsrc == Ssrc:
                        Interlocked.Increment(ref _pliReceived);
                        keyframe = true;
                        break;
                    case RtcpFullIntraRequest fir:
                        keyframe |= IsNewFir(fir);
                        break;
                    case RtcpNack nack when nack.MediaSsrc == Ssrc:
                        Resend(nack.LostSequenceNumbers);
                        break;
                    case RtcpReceiverReport rr:
                        NoteRoundTrip(rr.Reports);
                        break;
                    case RtcpSenderReport sr:
                        NoteRoundTrip(sr.Reports);
                        break;
                    case RtcpTransportFeedback feedback when _congestion is not null:
                        estimateChanged |= _congestion.OnFeedback(feedback);
                        break;
                }
            }
        }
        if (keyframe)
        {
            _subscription.RequestKeyframe();
        }
        if (_congestion is not null)
        {
            // REMB (if the viewer sends it at all) stays a cap; loss comes with the transport feedback.
            estimateChanged |= _bitrate.OnRtcp(parsed.Packets.OfType<RtcpRemb>(), Ssrc);
            if (estimateChanged)
            {
                ApplyLimit(CappedEstimate());
            }
            if (_congestion.TakeProbe() is { } probe)
            {
                StartProbe(probe);
            }
            return;
        }
        if (_bitrate.OnRtcp(parsed.Packets, Ssrc))
        {
            ApplyLimit(_bitrate.TargetBitrate);
        }
    }

    /// <summary>The estimate covers the whole transport: audio takes its share first.</summary>
    private void ApplyLimit(int transportBitrate) =>
        _subscription.SetBitrateLimit(Math.Max(1, transportBitrate - _settings.ReservedBitrate));

    private int CappedEstimate()
    {
        var estimate = _congestion!.TargetBps;
        return _bitrate.RembBitrate is { } remb ? (int)Math.Max(_bitrate.MinBitrate, Math.Min(estimate, remb)) : estimate;
    }

    private void OnFrame(EncodedVideoFrame frame)
    {
        _packetizer.Packetize(frame, (packet, sequenceNumber) =>
        {
            bool sent;
            if (_sequencer is not null)
            {
                // Stamped as it leaves; the history keeps the stamped bytes, so a plain resend repeats them exactly.
                Span<byte> stamped = stackalloc byte[packet.Length];
                packet.CopyTo(stamped);
                sent = _sequencer.Send(stamped, _settings.Extensions.TransportSequenceNumber);
                _history.Store(sequenceNumber, stamped);
            }
            else
            {
                _history.Store(sequenceNumber, packet);
                sent = _sendRtp(packet);
            }
            if (!sent)
            {
                Interlocked.Increment(ref _sendFailures);
            }
        });
        if (Interlocked.Increment(ref _framesSent) == 1 && _congestion is not null)
        {
            _congestion.OnMediaStarted();
            if (_congestion.TakeProbe() is { } probe)
            {
                StartProbe(probe);
            }
        }
    }

    /// <summary>
    /// Sends a probe cluster at <paramref name="bitsPerSecond"/> off the calling thread: RTX copies of the most recent
    /// packets (duplicates the viewer discards), paced over at least 15 ms and 15 packets. Needs RTX: without it
    /// there is no way to send extra bytes that the viewer's decoder ignores.
    /// </summary>
    private void StartProbe(double bitsPerSecond)
    {
        if (_settings.RtxSsrc is null || _congestion is null || Interlocked.Exchange(ref _probing, 1) != 0)
        {
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            try
            {
                SendProbe(bitsPerSecond);
            }
            finally
            {
                Volatile.Write(ref _probing, 0);
            }
        }, null);
    }

    private void SendProbe(double bitsPerSecond)
    {
        const int MinPackets = 15;
        const double MinSeconds = 0.015;
        var packet = new byte[_settings.MaxPacketSize];
        var rtx = new byte[_settings.MaxPacketSize + 2];
        var newest = _packetizer.NextSequenceNumber;
        var count = Math.Max(MinPackets, (int)Math.Ceiling(bitsPerSecond * MinSeconds / (8.0 * _settings.MaxPacketSize)));
        var cluster = Interlocked.Increment(ref _probeCluster);
        _congestion!.OnProbeSent(cluster, count);
        var start = Stopwatch.GetTimestamp();
        long bits = 0;
        var sent = 0;
        for (var back = 1; sent < count && back <= _settings.HistoryCapacity; back++)
        {
            var length = _history.TryPeek(unchecked((ushort)(newest - back)), packet);
            if (length == 0)
            {
                if (sent == 0)
                {
                    continue;
                }
                back = 0; // the history ran out: go round the packets we have again
                continue;
            }
            // Paced: each packet leaves when the bits before it have had their time at the probe rate.
            var due = start + (long)(bits / bitsPerSecond * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < due)
            {
                Thread.SpinWait(50);
            }
            var size = WrapRtx(packet.AsSpan(0, length), rtx, _settings.RtxSsrc!.Value, _settings.RtxPayloadType!.Value);
            if (!_sequencer!.Send(rtx.AsSpan(0, size), _settings.Extensions.TransportSequenceNumber, cluster))
            {
                Interlocked.Increment(ref _sendFailures);
            }
            bits += size * 8;
            sent++;
        }
        Interlocked.Increment(ref _probesSent);
    }

    /// <summary>A FIR entry for us with a new command sequence number; a repeated number is the same request again (RFC 5104).</summary>
    private bool IsNewFir(RtcpFullIntraRequest fir)
    {
        var isNew = false;
        foreach (var entry in fir.Entries)
        {
            if (entry.Ssrc != Ssrc)
            {
                continue;
            }
            if (!_lastFirSequence.TryGetValue(fir.SenderSsrc, out var last) || last != entry.SequenceNumber)
            {
                _lastFirSequence[fir.SenderSsrc] = entry.SequenceNumber;
                Interlocked.Increment(ref _firReceived);
                isNew = true;
            }
        }
        return isNew;
    }

    private void Resend(IReadOnlyList<ushort> lost)
    {
        Span<byte> packet = stackalloc byte[_settings.MaxPacketSize];
        Span<byte> rtx = stackalloc byte[_settings.MaxPacketSize + 2];
        foreach (var sequenceNumber in lost)
        {
            Interlocked.Increment(ref _nackedPackets);
            var length = _history.TryGetForResend(sequenceNumber, packet);
            if (length == 0)
            {
                continue;
            }
            // Without RTX the very same bytes go again (SRTP must not protect other bytes under the same index).
            var sent = _settings.RtxSsrc is { } rtxSsrc
                ? SendRtx(rtx[..WrapRtx(packet[..length], rtx, rtxSsrc, _settings.RtxPayloadType!.Value)])
                : _sendRtp(packet[..length]); // its transport sequence number too: same bytes, same SRTP index
            if (sent)
            {
                Interlocked.Increment(ref _retransmitted);
            }
            else
            {
                Interlocked.Increment(ref _sendFailures);
            }
        }
    }

    /// <summary>An RTX packet is a new packet on the transport: with transport-cc it gets its own transport sequence number.</summary>
    private bool SendRtx(Span<byte> rtx) =>
        _sequencer is null ? _sendRtp(rtx) : _sequencer.Send(rtx, _settings.Extensions.TransportSequenceNumber);

    /// <summary>A resent packet leaves now: its abs-send-time says so, or the receiver's delay estimate would see a huge queue.</summary>
    private void StampSendTime(Span<byte> packet)
    {
        if (_settings.Extensions.AbsSendTime > 0)
        {
            var sendTime = NtpTime.AbsSendTime(NtpTime.Now());
            OneByteExtensionWriter.TryRewrite(packet, _settings.Extensions.AbsSendTime, [(byte)(sendTime >> 16), (byte)(sendTime >> 8), (byte)sendTime]);
        }
    }

    /// <summary>RFC 4588: same header on the RTX SSRC/PT with its own sequence number, payload prefixed by the original sequence number.</summary>
    private int WrapRtx(ReadOnlySpan<byte> original, Span<byte> destination, uint rtxSsrc, byte rtxPayloadType)
    {
        var headerLength = RtpHeaderLength(original);
        original[..headerLength].CopyTo(destination);
        destination[1] = (byte)((original[1] & 0x80) | (rtxPayloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)Interlocked.Increment(ref _rtxSequence));
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], rtxSsrc);
        original.Slice(2, 2).CopyTo(destination[headerLength..]); // original sequence number
        original[headerLength..].CopyTo(destination[(headerLength + 2)..]);
        StampSendTime(destination[..(original.Length + 2)]);
        return original.Length + 2;
    }

    /// <summary>Header length of a packet we built (fixed header, no CSRCs, optional extension block, no padding).</summary>
    private static int RtpHeaderLength(ReadOnlySpan<byte> packet)
    {
        var length = RtpPacket.FixedHeaderSize;
        if ((packet[0] & 0x10) != 0)
        {
            length += 4 + (BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]) * 4);
        }
        return length;
    }

    private void NoteRoundTrip(IReadOnlyList<RtcpReportBlock> blocks)
    {
        foreach (var block in blocks)
        {
            if (block.Ssrc == Ssrc && block.RoundTripTime(NtpTime.Now()) is { } rtt)
            {
                Interlocked.Exchange(ref _roundTripTicks, rtt.Ticks);
                if (_congestion is not null)
                {
                    _congestion.RttMicros = (long)rtt.TotalMicroseconds;
                }
            }
        }
    }

    private void SendReport(bool goodbye = false)
    {
        if (_packetizer.PacketCount == 0 && !goodbye)
        {
            return; // no SR before the first RTP packet: there is no timeline to report yet
        }
        var rtp = _packetizer.RtpTimestampAt(Stopwatch.GetTimestamp());
        if (!SenderReport.TrySend(_sendRtcp, Ssrc, rtp, _packetizer.PacketCount, _packetizer.OctetCount, _settings.Cname, goodbye))
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
