using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// An RTP packet (RFC 3550 section 5.1) with RFC 8285 header extensions (one-byte 0xBEDE and two-byte 0x100X forms).
/// Parsing never throws: malformed input yields false.
/// </summary>
public sealed class RtpPacket
{
    public const int FixedHeaderSize = 12;
    public const int Version = 2;

    public bool Marker { get; init; }

    public byte PayloadType { get; init; }

    public ushort SequenceNumber { get; init; }

    public uint Timestamp { get; init; }

    public uint Ssrc { get; init; }

    public IReadOnlyList<uint> Csrcs { get; init; } = [];

    /// <summary>The extension profile (0xBEDE, 0x100X or another one, whose elements are not split); null without X bit.</summary>
    public ushort? ExtensionProfile { get; init; }

    public IReadOnlyList<RtpHeaderExtension> Extensions { get; init; } = [];

    public ReadOnlyMemory<byte> Payload { get; init; }

    public int PaddingLength { get; init; }

    /// <summary>The value of the extension with this id, if present.</summary>
    public ReadOnlyMemory<byte>? GetExtension(int id)
    {
        foreach (var extension in Extensions)
        {
            if (extension.Id == id)
            {
                return extension.Value;
            }
        }
        return null;
    }

    /// <summary>Writes the 12-byte fixed header (no CSRCs).</summary>
    public static void WriteFixedHeader(Span<byte> destination, bool hasExtension, bool marker, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc)
    {
        destination[0] = (byte)((Version << 6) | (hasExtension ? 0x10 : 0));
        destination[1] = (byte)((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
    }

    /// <summary>Serialises a packet with one-byte extensions (ids 1..14, 1..16 bytes each).</summary>
    public byte[] ToArray()
    {
        var elementBytes = Extensions.Sum(e => OneByteExtensionWriter.ElementSize(e.Value.Length));
        var headerSize = FixedHeaderSize + (4 * Csrcs.Count) + OneByteExtensionWriter.BlockSize(elementBytes);
        var buffer = new byte[headerSize + Payload.Length + PaddingLength];
        WriteFixedHeader(buffer, Extensions.Count > 0, Marker, PayloadType, SequenceNumber, Timestamp, Ssrc);
        buffer[0] |= (byte)Math.Min(15, Csrcs.Count);
        var offset = FixedHeaderSize;
        foreach (var csrc in Csrcs.Take(15))
        {
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(offset), csrc);
            offset += 4;
        }
        if (Extensions.Count > 0)
        {
            var writer = new OneByteExtensionWriter(buffer.AsSpan(offset));
            foreach (var extension in Extensions)
            {
                writer.Add(extension.Id, extension.Value.Span);
            }
            offset += writer.Finish();
        }
        Payload.Span.CopyTo(buffer.AsSpan(offset));
        if (PaddingLength > 0)
        {
            buffer[0] |= 0x20;
            buffer[^1] = (byte)PaddingLength;
        }
        return buffer;
    }

    /// <summary>Cheap check used to demultiplex RTP from RTCP on a muxed port (RFC 5761: PT 64..95 is RTCP).</summary>
    public static bool LooksLikeRtp(ReadOnlySpan<byte> data) =>
        data.Length >= FixedHeaderSize && (data[0] >> 6) == Version && (data[1] & 0x7F) is < 64 or > 95;

    public static bool TryParse(ReadOnlyMemory<byte> data, [NotNullWhen(true)] out RtpPacket? packet)
    {
        packet = null;
        var span = data.Span;
        if (span.Length < FixedHeaderSize || (span[0] >> 6) != Version)
        {
            return false;
        }
        var hasPadding = (span[0] & 0x20) != 0;
        var hasExtension = (span[0] & 0x10) != 0;
        var csrcCount = span[0] & 0x0F;
        var offset = FixedHeaderSize + (4 * csrcCount);
        if (span.Length < offset)
        {
            return false;
        }
        var csrcs = new uint[csrcCount];
        for (var i = 0; i < csrcCount; i++)
        {
            csrcs[i] = BinaryPrimitives.ReadUInt32BigEndian(span[(FixedHeaderSize + (4 * i))..]);
        }

        ushort? profile = null;
        var extensions = new List<RtpHeaderExtension>();
        if (hasExtension)
        {
            if (span.Length < offset + 4)
            {
                return false;
            }
            profile = BinaryPrimitives.ReadUInt16BigEndian(span[offset..]);
            var blockLength = BinaryPrimitives.ReadUInt16BigEndian(span[(offset + 2)..]) * 4;
            var blockStart = offset + 4;
            if (span.Length < blockStart + blockLength)
            {
                return false;
            }
            var block = data.Slice(blockStart, blockLength);
            var parsed = profile == OneByteExtensionWriter.Profile ? ParseOneByte(block, extensions)
                : (profile & 0xFFF0) == 0x1000 ? ParseTwoByte(block, extensions)
                : true;
            if (!parsed)
            {
                return false;
            }
            offset = blockStart + blockLength;
        }

        var end = span.Length;
        var padding = 0;
        if (hasPadding)
        {
            padding = span[^1];
            if (padding == 0 || end - padding < offset)
            {
                return false;
            }
            end -= padding;
        }

        packet = new RtpPacket
        {
            Marker = (span[1] & 0x80) != 0,
            PayloadType = (byte)(span[1] & 0x7F),
            SequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(span[2..]),
            Timestamp = BinaryPrimitives.ReadUInt32BigEndian(span[4..]),
            Ssrc = BinaryPrimitives.ReadUInt32BigEndian(span[8..]),
            Csrcs = csrcs,
            ExtensionProfile = profile,
            Extensions = extensions,
            Payload = data[offset..end],
            PaddingLength = padding,
        };
        return true;
    }

    private static bool ParseOneByte(ReadOnlyMemory<byte> block, List<RtpHeaderExtension> extensions)
    {
        var span = block.Span;
        var i = 0;
        while (i < span.Length)
        {
            var id = span[i] >> 4;
            if (span[i] == 0)
            {
                i++; // padding byte
                continue;
            }
            if (id == 15)
            {
                break; // reserved: stop processing the block (RFC 8285 section 4.2)
            }
            var length = (span[i] & 0x0F) + 1;
            if (i + 1 + length > span.Length)
            {
                return false;
            }
            extensions.Add(new RtpHeaderExtension(id, block.Slice(i + 1, length)));
            i += 1 + length;
        }
        return true;
    }

    private static bool ParseTwoByte(ReadOnlyMemory<byte> block, List<RtpHeaderExtension> extensions)
    {
        var span = block.Span;
        var i = 0;
        while (i < span.Length)
        {
            var id = span[i];
            if (id == 0)
            {
                i++;
                continue;
            }
            if (i + 2 > span.Length)
            {
                return false;
            }
            var length = span[i + 1];
            if (i + 2 + length > span.Length)
            {
                return false;
            }
            extensions.Add(new RtpHeaderExtension(id, block.Slice(i + 2, length)));
            i += 2 + length;
        }
        return true;
    }
}
