using System.Security.Cryptography;
using BrowserIsolation.Runner.Audio;
using BrowserIsolation.Runner.Media;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// One Opus frame per RTP packet (RFC 7587) for one outgoing audio stream: the 48 kHz timestamp is the frame's sample
/// time plus a random offset, and the marker bit starts a talkspurt (the first packet after DTX silence). No header
/// extensions but the transport-wide sequence number when negotiated (8 bytes, left zero for the sender to stamp):
/// during silence a packet is a few bytes, so every header byte shows in the bitrate.
/// Not thread-safe for <see cref="Packetize"/>.
/// </summary>
public sealed class RtpOpusPacketizer
{
    private readonly uint _timestampOffset;
    private readonly byte[] _buffer;
    private int _sequenceNumber;
    private long _packetCount;
    private long _octetCount;
    private long _lastSampleTime = long.MinValue;
    private long _lastCapturedAt;

    private readonly int _transportCcId;
    private readonly int _headerSize;

    public RtpOpusPacketizer(uint ssrc, byte payloadType, ushort? initialSequenceNumber = null, uint? initialTimestamp = null, int transportCcExtensionId = 0)
    {
        if (transportCcExtensionId is < 0 or > 14)
        {
            throw new ArgumentOutOfRangeException(nameof(transportCcExtensionId), transportCcExtensionId, "one-byte header extension ids are 1..14 (0 = none)");
        }
        _transportCcId = transportCcExtensionId;
        _headerSize = RtpPacket.FixedHeaderSize + (_transportCcId > 0 ? OneByteExtensionWriter.BlockSize(OneByteExtensionWriter.ElementSize(Congestion.TransportSequencer.ElementLength)) : 0);
        if (payloadType > 127)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadType), payloadType, "RTP payload types are 0..127");
        }
        Ssrc = ssrc;
        PayloadType = payloadType;
        _sequenceNumber = initialSequenceNumber ?? (ushort)RandomNumberGenerator.GetInt32(0, 1 << 16);
        _timestampOffset = initialTimestamp ?? (uint)RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue);
        _buffer = new byte[_headerSize + OpusEncoder.MaxPacketSize];
    }

    public uint Ssrc { get; }

    public byte PayloadType { get; }

    public long PacketCount => Interlocked.Read(ref _packetCount);

    /// <summary>Opus payload octets sent (the Sender Report's octet count).</summary>
    public long OctetCount => Interlocked.Read(ref _octetCount);

    /// <summary>Builds the frame's packet into a reused buffer; valid until the next call (a sender may stamp it in place).</summary>
    public Span<byte> Packetize(EncodedAudioFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Data.Length is 0 or > OpusEncoder.MaxPacketSize)
        {
            throw new ArgumentException("an Opus packet is 1..1275 bytes", nameof(frame));
        }
        var sequenceNumber = (ushort)_sequenceNumber;
        var timestamp = unchecked(_timestampOffset + (uint)frame.SampleTime);
        RtpPacket.WriteFixedHeader(_buffer, hasExtension: _transportCcId > 0, frame.Resumed, PayloadType, sequenceNumber, timestamp, Ssrc);
        if (_transportCcId > 0)
        {
            var writer = new OneByteExtensionWriter(_buffer.AsSpan(RtpPacket.FixedHeaderSize));
            writer.Add(_transportCcId, [0, 0]);
            writer.Finish();
        }
        frame.Data.CopyTo(_buffer.AsSpan(_headerSize));
        Volatile.Write(ref _sequenceNumber, (sequenceNumber + 1) & 0xFFFF);
        Interlocked.Increment(ref _packetCount);
        Interlocked.Add(ref _octetCount, frame.Data.Length);
        Interlocked.Exchange(ref _lastCapturedAt, frame.CapturedAt);
        Interlocked.Exchange(ref _lastSampleTime, frame.SampleTime);
        return _buffer.AsSpan(0, _headerSize + frame.Data.Length);
    }

    /// <summary>
    /// The RTP timestamp of a Stopwatch instant on this stream's timeline, extrapolated from the last frame sent
    /// (Sender Reports: the same clock as the video's, so the browser can line both up). Null before the first frame.
    /// </summary>
    public uint? RtpTimestampAt(long stopwatchTicks)
    {
        var sampleTime = Interlocked.Read(ref _lastSampleTime);
        if (sampleTime == long.MinValue)
        {
            return null;
        }
        var elapsed = MediaClock.ToClockUnits(stopwatchTicks - Interlocked.Read(ref _lastCapturedAt), OpusEncoder.SampleRate);
        return unchecked(_timestampOffset + (uint)(sampleTime + elapsed));
    }
}
