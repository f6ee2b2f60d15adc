using System.Buffers.Binary;

namespace BrowserIsolation.Runner.Audio;

/// <summary>
/// An Opus frame as a binary WebSocket message for the fallback (docs/protocol.md): 0x4F ('O'), version 1, the frame's
/// duration in 48 kHz samples (uint16), its timestamp in microseconds on the media clock (uint64), then the packet.
/// JPEG frames start with 0xFF, so a client tells the two apart by the first byte.
/// </summary>
public static class AudioFrameMessage
{
    public const byte Magic = 0x4F;
    public const byte Version = 1;
    public const int HeaderSize = 12;

    public static int Write(Span<byte> destination, EncodedAudioFrame frame)
    {
        destination[0] = Magic;
        destination[1] = Version;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], EncodedAudioFrame.Samples);
        // 48 kHz samples to microseconds, exactly: 1 sample = 125/6 us.
        BinaryPrimitives.WriteUInt64BigEndian(destination[4..], (ulong)(frame.SampleTime * 125 / 6));
        frame.Data.CopyTo(destination[HeaderSize..]);
        return HeaderSize + frame.Data.Length;
    }
}
