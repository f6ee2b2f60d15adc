using System.Buffers.Binary;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// Writes an RFC 8285 one-byte header extension block (0xBEDE profile) right after the fixed RTP header:
/// elements of 1..16 bytes with ids 1..14, zero padding to a 32-bit boundary.
/// </summary>
public ref struct OneByteExtensionWriter
{
    public const ushort Profile = 0xBEDE;

    private readonly Span<byte> _destination;
    private int _length;

    public OneByteExtensionWriter(Span<byte> destination)
    {
        _destination = destination;
        BinaryPrimitives.WriteUInt16BigEndian(destination, Profile);
        _length = 4;
    }

    /// <summary>Bytes one element of <paramref name="valueLength"/> bytes takes (before block padding).</summary>
    public static int ElementSize(int valueLength) => 1 + valueLength;

    /// <summary>Total block size (4-byte block header plus elements, padded to 32 bits) for the given element sizes.</summary>
    public static int BlockSize(int elementBytes) => elementBytes == 0 ? 0 : 4 + ((elementBytes + 3) & ~3);

    public void Add(int id, scoped ReadOnlySpan<byte> value)
    {
        if (id is < 1 or > 14)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, "one-byte header extension ids are 1..14");
        }
        if (value.Length is < 1 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value.Length, "one-byte header extension values are 1..16 bytes");
        }
        _destination[_length] = (byte)((id << 4) | (value.Length - 1));
        value.CopyTo(_destination[(_length + 1)..]);
        _length += 1 + value.Length;
    }

    /// <summary>Pads, writes the length in 32-bit words and returns the whole block's size in bytes.</summary>
    public int Finish()
    {
        var padded = (_length + 3) & ~3;
        _destination[_length..padded].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(_destination[2..], (ushort)((padded - 4) / 4));
        return padded;
    }

    /// <summary>
    /// Overwrites the value of element <paramref name="id"/> in a packet's one-byte extension block (same length only);
    /// false when the packet has no such element. For a resent packet whose send time is no longer true.
    /// </summary>
    public static bool TryRewrite(Span<byte> packet, int id, scoped ReadOnlySpan<byte> value)
    {
        if (packet.Length < 16 || (packet[0] & 0x10) == 0)
        {
            return false;
        }
        var start = 12 + ((packet[0] & 0x0F) * 4);
        if (packet.Length < start + 4 || BinaryPrimitives.ReadUInt16BigEndian(packet[start..]) != Profile)
        {
            return false;
        }
        var end = Math.Min(packet.Length, start + 4 + (BinaryPrimitives.ReadUInt16BigEndian(packet[(start + 2)..]) * 4));
        for (var at = start + 4; at < end;)
        {
            var header = packet[at];
            if (header == 0)
            {
                at++; // padding
                continue;
            }
            var (elementId, length) = (header >> 4, (header & 0x0F) + 1);
            if (elementId == 15 || at + 1 + length > end)
            {
                return false;
            }
            if (elementId == id && length == value.Length)
            {
                value.CopyTo(packet[(at + 1)..]);
                return true;
            }
            at += 1 + length;
        }
        return false;
    }
}
