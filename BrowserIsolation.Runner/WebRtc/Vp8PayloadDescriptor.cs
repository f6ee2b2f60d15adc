using System.Diagnostics.CodeAnalysis;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// The VP8 payload descriptor of RFC 7741 section 4.2. The sender always writes the 4-byte form:
/// X=1, S on a partition start, PID, then I=1 with a 15-bit picture id (M=1); no TL0PICIDX, TID or KEYIDX.
/// </summary>
public readonly record struct Vp8PayloadDescriptor(bool NonReference, bool StartOfPartition, int PartitionId, int? PictureId, int? Tl0PicIdx = null, int? TemporalLayer = null, int? KeyIndex = null)
{
    public const int WrittenSize = 4;
    public const int PictureIdMask = 0x7FFF;

    /// <summary>Writes the 4-byte descriptor with a 15-bit picture id.</summary>
    public static void Write(Span<byte> destination, bool startOfPartition, int partitionId, int pictureId, bool nonReference = false)
    {
        destination[0] = (byte)(0x80 | (nonReference ? 0x20 : 0) | (startOfPartition ? 0x10 : 0) | (partitionId & 0x07));
        destination[1] = 0x80; // I: picture id present
        destination[2] = (byte)(0x80 | ((pictureId >> 8) & 0x7F)); // M: 15-bit picture id
        destination[3] = (byte)pictureId;
    }

    /// <summary>Parses any RFC 7741 descriptor; <paramref name="length"/> is where the VP8 data starts.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out Vp8PayloadDescriptor? descriptor, out int length)
    {
        descriptor = null;
        length = 0;
        if (payload.Length < 1)
        {
            return false;
        }
        var first = payload[0];
        var i = 1;
        int? pictureId = null, tl0 = null, tid = null, keyIndex = null;
        if ((first & 0x80) != 0)
        {
            if (payload.Length < i + 1)
            {
                return false;
            }
            var ext = payload[i++];
            if ((ext & 0x80) != 0)
            {
                if (payload.Length < i + 1)
                {
                    return false;
                }
                if ((payload[i] & 0x80) != 0)
                {
                    if (payload.Length < i + 2)
                    {
                        return false;
                    }
                    pictureId = ((payload[i] & 0x7F) << 8) | payload[i + 1];
                    i += 2;
                }
                else
                {
                    pictureId = payload[i] & 0x7F;
                    i += 1;
                }
            }
            if ((ext & 0x40) != 0)
            {
                if (payload.Length < i + 1)
                {
                    return false;
                }
                tl0 = payload[i++];
            }
            if ((ext & 0x30) != 0)
            {
                if (payload.Length < i + 1)
                {
                    return false;
                }
                if ((ext & 0x20) != 0)
                {
                    tid = payload[i] >> 6;
                }
                if ((ext & 0x10) != 0)
                {
                    keyIndex = payload[i] & 0x1F;
                }
                i++;
            }
        }
        descriptor = new Vp8PayloadDescriptor((first & 0x20) != 0, (first & 0x10) != 0, first & 0x07, pictureId, tl0, tid, keyIndex);
        length = i;
        return true;
    }
}
