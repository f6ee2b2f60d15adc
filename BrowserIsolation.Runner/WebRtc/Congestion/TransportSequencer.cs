using System.Buffers.Binary;

namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>
/// The one transport-wide sequence counter of a peer (draft-holmer-rmcat-transport-wide-cc-extensions-01): every RTP
/// packet sent on the transport, video, RTX and audio alike, gets the next number in its (already reserved) 2-byte
/// header extension element right before it is sent, and the send time and size go into <see cref="History"/>.
/// Stamping and sending happen under one lock, so numbers leave in order. Thread-safe.
/// </summary>
public sealed class TransportSequencer(MediaPacketSender send)
{
    public const int ElementLength = 2;

    private readonly Lock _gate = new();

    public TransportSendHistory History { get; } = new();

    /// <summary>Stamps <paramref name="packet"/> (in place) with the next number under <paramref name="extensionId"/> and sends it.</summary>
    public bool Send(Span<byte> packet, int extensionId, int probeCluster = -1)
    {
        Span<byte> value = stackalloc byte[ElementLength];
        lock (_gate)
        {
            var sequence = History.NextSequence;
            BinaryPrimitives.WriteUInt16BigEndian(value, (ushort)sequence);
            if (!OneByteExtensionWriter.TryRewrite(packet, extensionId, value))
            {
                return send(packet); // no element reserved: not a packet the estimator can see
            }
            History.Add(packet.Length, MonotonicMicros.Now(), probeCluster);
            return send(packet);
        }
    }

    /// <summary>Sends a packet that already carries its number (a plain resend repeats its bytes, number included).</summary>
    public bool SendAsIs(ReadOnlySpan<byte> packet)
    {
        lock (_gate)
        {
            return send(packet);
        }
    }
}
