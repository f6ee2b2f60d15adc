using System.Security.Cryptography;
using BrowserIsolation.Runner.Media;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>Receives each RTP packet as it is built; the span is only valid during the call.</summary>
public delegate void RtpPacketSink(ReadOnlySpan<byte> packet, ushort sequenceNumber);

/// <summary>
/// Splits VP8 frames into RTP packets (RFC 7741) for one outgoing stream (one SSRC, one peer).
/// Every packet carries the 4-byte payload descriptor (X=1, I=1, 15-bit picture id, PID 0, S on the first packet);
/// payload sizes are spread evenly so no packet exceeds <see cref="MaxPacketSize"/> bytes before SRTP.
/// The 90 kHz timestamp follows the capture time, the marker is set on a frame's last packet, and the
/// negotiated playout-delay (min = max = 0) and abs-send-time extensions are written on every packet, and a zero
/// transport-wide sequence number that the sender stamps as the packet leaves (it is one counter per transport).
/// Not thread-safe for <see cref="Packetize(EncodedVideoFrame, RtpPacketSink)"/>; counters may be read from any thread.
/// </summary>
public sealed class RtpVp8Packetizer
{
    public const int DefaultMaxPacketSize = 1200;
    private const int PlayoutDelayLength = 3;
    private const int AbsSendTimeLength = 3;
    private const int TransportSequenceLength = 2;

    private readonly RtpHeaderExtensionIds _extensionIds;
    private readonly Func<ulong> _ntpClock;
    private readonly uint _timestampOffset;
    private readonly int _headerSize;
    private readonly byte[] _buffer;
    private int _sequenceNumber;
    private int _pictureId;
    private long _packetCount;
    private long _octetCount;
    private long _lastTimestamp = -1;

    public RtpVp8Packetizer(
        uint ssrc,
        byte payloadType,
        RtpHeaderExtensionIds? extensionIds = null,
        int maxPacketSize = DefaultMaxPacketSize,
        Func<ulong>? ntpClock = null,
        ushort? initialSequenceNumber = null,
        uint? initialTimestamp = null,
        int? initialPictureId = null)
    {
        if (payloadType > 127)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadType), payloadType, "RTP payload types are 0..127");
        }
        _extensionIds = extensionIds ?? RtpHeaderExtensionIds.None;
        ValidateId(_extensionIds.PlayoutDelay, nameof(RtpHeaderExtensionIds.PlayoutDelay));
        ValidateId(_extensionIds.AbsSendTime, nameof(RtpHeaderExtensionIds.AbsSendTime));
        ValidateId(_extensionIds.TransportSequenceNumber, nameof(RtpHeaderExtensionIds.TransportSequenceNumber));
        Ssrc = ssrc;
        PayloadType = payloadType;
        _ntpClock = ntpClock ?? NtpTime.Now;
        // RFC 3550 wants random initial values so that known-plaintext attacks on SRTP get no help.
        _sequenceNumber = initialSequenceNumber ?? (ushort)RandomNumberGenerator.GetInt32(0, 1 << 16);
        _timestampOffset = initialTimestamp ?? (uint)RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue);
        _pictureId = (initialPictureId ?? RandomNumberGenerator.GetInt32(0, 1 << 15)) & Vp8PayloadDescriptor.PictureIdMask;

        var elementBytes = (_extensionIds.PlayoutDelay > 0 ? OneByteExtensionWriter.ElementSize(PlayoutDelayLength) : 0)
            + (_extensionIds.AbsSendTime > 0 ? OneByteExtensionWriter.ElementSize(AbsSendTimeLength) : 0)
            + (_extensionIds.TransportSequenceNumber > 0 ? OneByteExtensionWriter.ElementSize(TransportSequenceLength) : 0);
        _headerSize = RtpPacket.FixedHeaderSize + OneByteExtensionWriter.BlockSize(elementBytes);
        var minimum = _headerSize + Vp8PayloadDescriptor.WrittenSize + 1;
        if (maxPacketSize < minimum || maxPacketSize > 65_000)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPacketSize), maxPacketSize, $"must be {minimum}..65000");
        }
        MaxPacketSize = maxPacketSize;
        _buffer = new byte[maxPacketSize];
    }

    public uint Ssrc { get; }

    public byte PayloadType { get; }

    /// <summary>Largest RTP packet built (headers included, SRTP tag excluded).</summary>
    public int MaxPacketSize { get; }

    /// <summary>VP8 bytes that fit in one packet after the RTP header, extensions and payload descriptor.</summary>
    public int MaxPayloadPerPacket => MaxPacketSize - _headerSize - Vp8PayloadDescriptor.WrittenSize;

    public ushort NextSequenceNumber => (ushort)Volatile.Read(ref _sequenceNumber);

    /// <summary>Picture id the next frame will carry (15 bits, wraps to 0).</summary>
    public int NextPictureId => Volatile.Read(ref _pictureId);

    /// <summary>RTP packets built so far (for the Sender Report's packet count).</summary>
    public long PacketCount => Interlocked.Read(ref _packetCount);

    /// <summary>Payload octets built so far, descriptors included, headers excluded (the Sender Report's octet count).</summary>
    public long OctetCount => Interlocked.Read(ref _octetCount);

    /// <summary>RTP timestamp of the last frame packetized, or null before the first.</summary>
    public uint? LastTimestamp
    {
        get
        {
            var value = Interlocked.Read(ref _lastTimestamp);
            return value < 0 ? null : (uint)value;
        }
    }

    /// <summary>The 90 kHz RTP timestamp of a Stopwatch instant (frames use their capture time; Sender Reports use "now").</summary>
    public uint RtpTimestampAt(long stopwatchTicks) =>
        unchecked(_timestampOffset + (uint)MediaClock.ToClockUnits(stopwatchTicks, MediaClock.VideoClockRate));

    /// <summary>Builds a frame's packets into a reused buffer and hands each to <paramref name="sink"/>. Returns the packet count.</summary>
    public int Packetize(EncodedVideoFrame frame, RtpPacketSink sink)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(sink);
        var data = frame.Data.AsSpan();
        if (data.IsEmpty)
        {
            return 0;
        }
        var timestamp = RtpTimestampAt(frame.CapturedAt);
        var pictureId = _pictureId;
        var maxPayload = MaxPayloadPerPacket;
        var count = (data.Length + maxPayload - 1) / maxPayload;
        // Even split: a frame of 1201 bytes becomes 601 + 600, not 1196 + 5.
        var baseSize = data.Length / count;
        var larger = data.Length % count;
        var offset = 0;

        for (var i = 0; i < count; i++)
        {
            var size = baseSize + (i < larger ? 1 : 0);
            var sequenceNumber = (ushort)_sequenceNumber;
            var headerSize = WriteHeader(_buffer, i == count - 1, sequenceNumber, timestamp);
            Vp8PayloadDescriptor.Write(_buffer.AsSpan(headerSize), startOfPartition: i == 0, partitionId: 0, pictureId);
            data.Slice(offset, size).CopyTo(_buffer.AsSpan(headerSize + Vp8PayloadDescriptor.WrittenSize));
            offset += size;
            var length = headerSize + Vp8PayloadDescriptor.WrittenSize + size;

            Volatile.Write(ref _sequenceNumber, (sequenceNumber + 1) & 0xFFFF);
            Interlocked.Increment(ref _packetCount);
            Interlocked.Add(ref _octetCount, length - headerSize);
            sink(_buffer.AsSpan(0, length), sequenceNumber);
        }

        Volatile.Write(ref _pictureId, (pictureId + 1) & Vp8PayloadDescriptor.PictureIdMask);
        Interlocked.Exchange(ref _lastTimestamp, timestamp);
        return count;
    }

    /// <summary>Builds a frame's packets as separate arrays (convenience; allocates per packet).</summary>
    public List<byte[]> Packetize(EncodedVideoFrame frame)
    {
        var packets = new List<byte[]>();
        Packetize(frame, (packet, _) => packets.Add(packet.ToArray()));
        return packets;
    }

    private int WriteHeader(Span<byte> destination, bool marker, ushort sequenceNumber, uint timestamp)
    {
        var hasExtension = _headerSize > RtpPacket.FixedHeaderSize;
        RtpPacket.WriteFixedHeader(destination, hasExtension, marker, PayloadType, sequenceNumber, timestamp, Ssrc);
        if (!hasExtension)
        {
            return RtpPacket.FixedHeaderSize;
        }
        var writer = new OneByteExtensionWriter(destination[RtpPacket.FixedHeaderSize..]);
        Span<byte> value = stackalloc byte[3];
        if (_extensionIds.PlayoutDelay > 0)
        {
            // min = max = 0: render frames as soon as they are decoded.
            value.Clear();
            writer.Add(_extensionIds.PlayoutDelay, value);
        }
        if (_extensionIds.AbsSendTime > 0)
        {
            var sendTime = NtpTime.AbsSendTime(_ntpClock());
            value[0] = (byte)(sendTime >> 16);
            value[1] = (byte)(sendTime >> 8);
            value[2] = (byte)sendTime;
            writer.Add(_extensionIds.AbsSendTime, value);
        }
        if (_extensionIds.TransportSequenceNumber > 0)
        {
            value.Clear();
            writer.Add(_extensionIds.TransportSequenceNumber, value[..TransportSequenceLength]);
        }
        return RtpPacket.FixedHeaderSize + writer.Finish();
    }

    private static void ValidateId(int id, string name)
    {
        if (id is < 0 or > 14)
        {
            throw new ArgumentOutOfRangeException(name, id, "one-byte header extension ids are 1..14 (0 = not negotiated)");
        }
    }
}
