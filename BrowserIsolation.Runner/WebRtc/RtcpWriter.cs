using System.Buffers.Binary;
using System.Text;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>Builds the RTCP a video sender emits: SR with optional report blocks, SDES CNAME, BYE (RFC 3550).</summary>
public static class RtcpWriter
{
    /// <summary>Bytes <see cref="WriteSenderReport"/> needs.</summary>
    public static int SenderReportSize(int reportBlocks) => 28 + (reportBlocks * RtcpReportBlock.Size);

    /// <summary>Bytes <see cref="WriteSdesCname"/> needs for this CNAME.</summary>
    public static int SdesCnameSize(string cname) => 4 + ((4 + 2 + CnameBytes(cname).Length + 1 + 3) & ~3);

    public static int ByeSize(int ssrcs) => 4 + (4 * ssrcs);

    public static int WriteSenderReport(Span<byte> destination, uint ssrc, ulong ntpTimestamp, uint rtpTimestamp, uint packetCount, uint octetCount, IReadOnlyList<RtcpReportBlock>? reports = null)
    {
        var blocks = reports?.Count ?? 0;
        if (blocks > 31)
        {
            throw new ArgumentOutOfRangeException(nameof(reports), blocks, "an SR carries at most 31 report blocks");
        }
        var size = SenderReportSize(blocks);
        WriteHeader(destination, blocks, RtcpParser.SenderReportType, size);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], ntpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], rtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], packetCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], octetCount);
        for (var i = 0; i < blocks; i++)
        {
            WriteReportBlock(destination[(28 + (i * RtcpReportBlock.Size))..], reports![i]);
        }
        return size;
    }

    public static int WriteSdesCname(Span<byte> destination, uint ssrc, string cname)
    {
        var text = CnameBytes(cname);
        var size = SdesCnameSize(cname);
        WriteHeader(destination, 1, RtcpParser.SourceDescriptionType, size);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        destination[8] = RtcpParser.SdesCname;
        destination[9] = (byte)text.Length;
        text.CopyTo(destination[10..]);
        destination[(10 + text.Length)..size].Clear(); // null item plus padding
        return size;
    }

    public static int WriteBye(Span<byte> destination, ReadOnlySpan<uint> ssrcs)
    {
        if (ssrcs.Length > 31)
        {
            throw new ArgumentOutOfRangeException(nameof(ssrcs), ssrcs.Length, "a BYE lists at most 31 sources");
        }
        var size = ByeSize(ssrcs.Length);
        WriteHeader(destination, ssrcs.Length, RtcpParser.ByeType, size);
        for (var i = 0; i < ssrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(4 + (i * 4))..], ssrcs[i]);
        }
        return size;
    }

    /// <summary>The periodic compound packet of a sender: SR (no report blocks: we receive no media) + SDES CNAME.</summary>
    public static byte[] BuildSenderReport(uint ssrc, ulong ntpTimestamp, uint rtpTimestamp, uint packetCount, uint octetCount, string cname)
    {
        var buffer = new byte[SenderReportSize(0) + SdesCnameSize(cname)];
        var offset = WriteSenderReport(buffer, ssrc, ntpTimestamp, rtpTimestamp, packetCount, octetCount);
        WriteSdesCname(buffer.AsSpan(offset), ssrc, cname);
        return buffer;
    }

    /// <summary>The last compound packet of a sender: SR + SDES CNAME + BYE.</summary>
    public static byte[] BuildGoodbye(uint ssrc, ulong ntpTimestamp, uint rtpTimestamp, uint packetCount, uint octetCount, string cname)
    {
        var buffer = new byte[SenderReportSize(0) + SdesCnameSize(cname) + ByeSize(1)];
        var offset = WriteSenderReport(buffer, ssrc, ntpTimestamp, rtpTimestamp, packetCount, octetCount);
        offset += WriteSdesCname(buffer.AsSpan(offset), ssrc, cname);
        WriteBye(buffer.AsSpan(offset), [ssrc]);
        return buffer;
    }

    private static void WriteReportBlock(Span<byte> destination, RtcpReportBlock block)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, block.Ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ((uint)block.FractionLost << 24) | ((uint)block.CumulativeLost & 0x00FF_FFFF));
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], block.ExtendedHighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], block.Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], block.LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], block.DelaySinceLastSenderReport);
    }

    private static void WriteHeader(Span<byte> destination, int count, byte type, int size)
    {
        destination[0] = (byte)(0x80 | count);
        destination[1] = type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((size / 4) - 1));
    }

    private static byte[] CnameBytes(string cname)
    {
        var bytes = Encoding.UTF8.GetBytes(cname);
        if (bytes.Length is 0 or > 255)
        {
            throw new ArgumentException("a CNAME is 1..255 bytes of UTF-8", nameof(cname));
        }
        return bytes;
    }
}
