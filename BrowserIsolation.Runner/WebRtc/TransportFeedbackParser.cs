using System.Buffers.Binary;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// The FCI of a transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1): base sequence,
/// status count, reference time, feedback count, packet chunks (run length, 1-bit or 2-bit status vectors), then one
/// receive delta per received packet (1 byte unsigned or 2 bytes signed, 250 µs units). Null for anything malformed;
/// what it allocates is bounded by the packet's own length, whatever the status count claims.
/// </summary>
internal static class TransportFeedbackParser
{
    public const int DeltaMicros = 250;
    public const int ReferenceTimeMicros = 64_000;
    private const int HeaderSize = 8;
    private const int NotReceived = 0;
    private const int SmallDelta = 1;
    private const int LargeDelta = 2;

    public static RtcpTransportFeedback? Parse(uint senderSsrc, uint mediaSsrc, ReadOnlySpan<byte> fci)
    {
        if (fci.Length < HeaderSize)
        {
            return null;
        }
        var baseSequence = BinaryPrimitives.ReadUInt16BigEndian(fci);
        var statusCount = BinaryPrimitives.ReadUInt16BigEndian(fci[2..]);
        var referenceTime = (fci[4] << 16) | (fci[5] << 8) | fci[6];
        var feedbackCount = fci[7];
        if (statusCount == 0)
        {
            return null;
        }

        // First pass over the chunks: the symbols, kept compactly (one byte each, bounded by 65535).
        var symbols = new byte[statusCount];
        var filled = 0;
        var at = HeaderSize;
        var receivedCount = 0;
        while (filled < statusCount)
        {
            if (at + 2 > fci.Length)
            {
                return null; // the chunks end before the status count is covered
            }
            var chunk = BinaryPrimitives.ReadUInt16BigEndian(fci[at..]);
            at += 2;
            if ((chunk & 0x8000) == 0)
            {
                var symbol = (chunk >> 13) & 0x03;
                var run = chunk & 0x1FFF;
                if (symbol == 3)
                {
                    return null; // reserved
                }
                var take = Math.Min(run, statusCount - filled);
                symbols.AsSpan(filled, take).Fill((byte)symbol);
                filled += take;
                if (symbol != NotReceived)
                {
                    receivedCount += take;
                }
            }
            else if ((chunk & 0x4000) == 0)
            {
                for (var bit = 13; bit >= 0 && filled < statusCount; bit--)
                {
                    var symbol = (chunk >> bit) & 0x01;
                    symbols[filled++] = (byte)symbol;
                    receivedCount += symbol;
                }
            }
            else
            {
                for (var shift = 12; shift >= 0 && filled < statusCount; shift -= 2)
                {
                    var symbol = (chunk >> shift) & 0x03;
                    if (symbol == 3)
                    {
                        return null;
                    }
                    symbols[filled++] = (byte)symbol;
                    receivedCount += symbol == NotReceived ? 0 : 1;
                }
            }
        }
        // Every received packet needs at least one delta byte: a huge claimed count cannot make us allocate more.
        if (receivedCount > fci.Length - at)
        {
            return null;
        }

        var received = new TransportFeedbackPacket[receivedCount];
        var next = 0;
        long arrival = 0;
        for (var i = 0; i < statusCount; i++)
        {
            switch (symbols[i])
            {
                case SmallDelta:
                    if (at + 1 > fci.Length)
                    {
                        return null;
                    }
                    arrival += fci[at] * DeltaMicros;
                    at += 1;
                    break;
                case LargeDelta:
                    if (at + 2 > fci.Length)
                    {
                        return null;
                    }
                    arrival += BinaryPrimitives.ReadInt16BigEndian(fci[at..]) * DeltaMicros;
                    at += 2;
                    break;
                default:
                    continue;
            }
            received[next++] = new TransportFeedbackPacket(unchecked((ushort)(baseSequence + i)), arrival);
        }
        // Up to 3 bytes of zero padding may follow the deltas; more is not a feedback we understand.
        if (fci.Length - at > 3)
        {
            return null;
        }
        return new RtcpTransportFeedback(senderSsrc, mediaSsrc, baseSequence, statusCount, referenceTime, feedbackCount, received);
    }
}
