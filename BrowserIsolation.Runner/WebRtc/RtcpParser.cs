using System.Buffers.Binary;
using System.Text;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>What a compound RTCP packet contained, and what was wrong with it.</summary>
/// <param name="Packets">Every packet that parsed, in order.</param>
/// <param name="Errors">One line per packet skipped or where parsing stopped; empty when all was well-formed.</param>
public sealed record RtcpParseResult(IReadOnlyList<RtcpPacket> Packets, IReadOnlyList<string> Errors)
{
    public bool IsWellFormed => Errors.Count == 0;
}

/// <summary>
/// Parses compound RTCP (RFC 3550, RFC 4585, RFC 5104, REMB, transport-wide feedback). Never throws: a packet whose own content is bad
/// is skipped, and a broken header (wrong version, length past the end) stops parsing there. Packets parsed
/// before the fault are still returned.
/// </summary>
public static class RtcpParser
{
    public const byte SenderReportType = 200;
    public const byte ReceiverReportType = 201;
    public const byte SourceDescriptionType = 202;
    public const byte ByeType = 203;
    public const byte TransportFeedbackType = 205;
    public const byte PayloadFeedbackType = 206;
    public const byte NackFormat = 1;
    public const byte TransportWideFeedbackFormat = 15;
    public const byte PliFormat = 1;
    public const byte FirFormat = 4;
    public const byte ApplicationFeedbackFormat = 15;
    public const byte SdesCname = 1;

    private const uint RembIdentifier = 0x52454D42; // "REMB"

    /// <summary>True when the datagram looks like RTCP on an rtcp-mux port (RFC 5761: version 2, PT 192..223).</summary>
    public static bool LooksLikeRtcp(ReadOnlySpan<byte> data) =>
        data.Length >= 8 && (data[0] >> 6) == 2 && data[1] is >= 192 and <= 223;

    public static RtcpParseResult Parse(ReadOnlySpan<byte> data)
    {
        var packets = new List<RtcpPacket>();
        var errors = new List<string>();
        var offset = 0;
        while (offset < data.Length)
        {
            var remaining = data[offset..];
            if (remaining.Length < 4)
            {
                errors.Add($"{remaining.Length} trailing bytes at offset {offset}");
                break;
            }
            if ((remaining[0] >> 6) != 2)
            {
                errors.Add($"RTCP version {remaining[0] >> 6} at offset {offset}");
                break;
            }
            var length = (BinaryPrimitives.ReadUInt16BigEndian(remaining[2..]) + 1) * 4;
            if (length > remaining.Length)
            {
                errors.Add($"packet at offset {offset} claims {length} bytes, {remaining.Length} left");
                break;
            }
            var packet = remaining[..length];
            var count = packet[0] & 0x1F;
            var type = packet[1];
            var body = packet[4..];
            if ((packet[0] & 0x20) != 0)
            {
                var padding = packet[^1];
                if (padding == 0 || padding > body.Length)
                {
                    errors.Add($"bad padding {padding} in packet type {type} at offset {offset}");
                    offset += length;
                    continue;
                }
                body = body[..^padding];
            }

            var parsed = type switch
            {
                SenderReportType => ParseSenderReport(body, count),
                ReceiverReportType => ParseReceiverReport(body, count),
                SourceDescriptionType => ParseSourceDescription(body, count),
                ByeType => ParseBye(body, count),
                TransportFeedbackType => ParseTransportFeedback(body, count, length),
                PayloadFeedbackType => ParsePayloadFeedback(body, count, length),
                _ => new RtcpUnknown(type, (byte)count, length),
            };
            if (parsed is null)
            {
                errors.Add($"malformed packet type {type} (count/format {count}) at offset {offset}");
            }
            else
            {
                packets.Add(parsed);
            }
            offset += length;
        }
        return new RtcpParseResult(packets, errors);
    }

    private static RtcpSenderReport? ParseSenderReport(ReadOnlySpan<byte> body, int count)
    {
        if (body.Length < 24 + (count * RtcpReportBlock.Size))
        {
            return null;
        }
        return new RtcpSenderReport(
            BinaryPrimitives.ReadUInt32BigEndian(body),
            BinaryPrimitives.ReadUInt64BigEndian(body[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(body[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(body[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(body[20..]),
            ParseReportBlocks(body[24..], count));
    }

    private static RtcpReceiverReport? ParseReceiverReport(ReadOnlySpan<byte> body, int count)
    {
        if (body.Length < 4 + (count * RtcpReportBlock.Size))
        {
            return null;
        }
        return new RtcpReceiverReport(BinaryPrimitives.ReadUInt32BigEndian(body), ParseReportBlocks(body[4..], count));
    }

    private static RtcpReportBlock[] ParseReportBlocks(ReadOnlySpan<byte> data, int count)
    {
        var blocks = new RtcpReportBlock[count];
        for (var i = 0; i < count; i++)
        {
            var block = data.Slice(i * RtcpReportBlock.Size, RtcpReportBlock.Size);
            var lostField = BinaryPrimitives.ReadUInt32BigEndian(block[4..]);
            var cumulative = (int)(lostField & 0x00FF_FFFF);
            if ((cumulative & 0x0080_0000) != 0)
            {
                cumulative -= 0x0100_0000; // 24-bit two's complement
            }
            blocks[i] = new RtcpReportBlock(
                BinaryPrimitives.ReadUInt32BigEndian(block),
                block[4],
                cumulative,
                BinaryPrimitives.ReadUInt32BigEndian(block[8..]),
                BinaryPrimitives.ReadUInt32BigEndian(block[12..]),
                BinaryPrimitives.ReadUInt32BigEndian(block[16..]),
                BinaryPrimitives.ReadUInt32BigEndian(block[20..]));
        }
        return blocks;
    }

    private static RtcpSourceDescription? ParseSourceDescription(ReadOnlySpan<byte> body, int count)
    {
        var chunks = new List<RtcpSdesChunk>(count);
        var i = 0;
        for (var c = 0; c < count; c++)
        {
            if (i + 4 > body.Length)
            {
                return null;
            }
            var ssrc = BinaryPrimitives.ReadUInt32BigEndian(body[i..]);
            i += 4;
            var items = new List<KeyValuePair<byte, string>>();
            while (true)
            {
                if (i >= body.Length)
                {
                    return null; // a chunk must end with a null item
                }
                var itemType = body[i];
                if (itemType == 0)
                {
                    i = (i + 4) & ~3; // the null octet(s) pad the chunk to 32 bits
                    break;
                }
                if (i + 2 > body.Length || i + 2 + body[i + 1] > body.Length)
                {
                    return null;
                }
                var text = Encoding.UTF8.GetString(body.Slice(i + 2, body[i + 1]));
                items.Add(new(itemType, text));
                i += 2 + body[i + 1];
            }
            if (i > body.Length)
            {
                return null;
            }
            chunks.Add(new RtcpSdesChunk(ssrc, items));
        }
        return new RtcpSourceDescription(chunks);
    }

    private static RtcpBye? ParseBye(ReadOnlySpan<byte> body, int count)
    {
        if (body.Length < count * 4)
        {
            return null;
        }
        var ssrcs = new uint[count];
        for (var i = 0; i < count; i++)
        {
            ssrcs[i] = BinaryPrimitives.ReadUInt32BigEndian(body[(i * 4)..]);
        }
        string? reason = null;
        var rest = body[(count * 4)..];
        if (rest.Length > 0 && rest[0] > 0)
        {
            if (1 + rest[0] > rest.Length)
            {
                return null;
            }
            reason = Encoding.UTF8.GetString(rest.Slice(1, rest[0]));
        }
        return new RtcpBye(ssrcs, reason);
    }

    private static RtcpPacket? ParseTransportFeedback(ReadOnlySpan<byte> body, int format, int length)
    {
        if (body.Length < 8)
        {
            return null;
        }
        if (format == TransportWideFeedbackFormat)
        {
            return TransportFeedbackParser.Parse(BinaryPrimitives.ReadUInt32BigEndian(body), BinaryPrimitives.ReadUInt32BigEndian(body[4..]), body[8..]);
        }
        if (format != NackFormat)
        {
            return new RtcpUnknown(TransportFeedbackType, (byte)format, length);
        }
        var fci = body[8..];
        if (fci.Length % 4 != 0)
        {
            return null;
        }
        var lost = new List<ushort>();
        for (var i = 0; i < fci.Length; i += 4)
        {
            var pid = BinaryPrimitives.ReadUInt16BigEndian(fci[i..]);
            var blp = BinaryPrimitives.ReadUInt16BigEndian(fci[(i + 2)..]);
            lost.Add(pid);
            for (var bit = 0; bit < 16; bit++)
            {
                if ((blp & (1 << bit)) != 0)
                {
                    lost.Add(unchecked((ushort)(pid + bit + 1)));
                }
            }
        }
        return new RtcpNack(BinaryPrimitives.ReadUInt32BigEndian(body), BinaryPrimitives.ReadUInt32BigEndian(body[4..]), lost);
    }

    private static RtcpPacket? ParsePayloadFeedback(ReadOnlySpan<byte> body, int format, int length)
    {
        if (body.Length < 8)
        {
            return null;
        }
        var sender = BinaryPrimitives.ReadUInt32BigEndian(body);
        var media = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        var fci = body[8..];
        switch (format)
        {
            case PliFormat:
                return new RtcpPictureLossIndication(sender, media);
            case FirFormat:
                if (fci.Length == 0 || fci.Length % 8 != 0)
                {
                    return null;
                }
                var entries = new RtcpFirEntry[fci.Length / 8];
                for (var i = 0; i < entries.Length; i++)
                {
                    entries[i] = new RtcpFirEntry(BinaryPrimitives.ReadUInt32BigEndian(fci[(i * 8)..]), fci[(i * 8) + 4]);
                }
                return new RtcpFullIntraRequest(sender, entries);
            case ApplicationFeedbackFormat when fci.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(fci) == RembIdentifier:
                return ParseRemb(sender, fci);
            default:
                return new RtcpUnknown(PayloadFeedbackType, (byte)format, length);
        }
    }

    private static RtcpRemb? ParseRemb(uint sender, ReadOnlySpan<byte> fci)
    {
        if (fci.Length < 8)
        {
            return null;
        }
        var ssrcCount = fci[4];
        var exponent = fci[5] >> 2;
        var mantissa = ((fci[5] & 0x03) << 16) | (fci[6] << 8) | fci[7];
        if (fci.Length < 8 + (ssrcCount * 4))
        {
            return null;
        }
        var ssrcs = new uint[ssrcCount];
        for (var i = 0; i < ssrcCount; i++)
        {
            ssrcs[i] = BinaryPrimitives.ReadUInt32BigEndian(fci[(8 + (i * 4))..]);
        }
        var bitrate = (UInt128)(uint)mantissa << exponent;
        return new RtcpRemb(sender, bitrate > long.MaxValue ? long.MaxValue : (long)bitrate, ssrcs);
    }
}
