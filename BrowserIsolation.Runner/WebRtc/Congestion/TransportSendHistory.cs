namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>
/// The last <see cref="Capacity"/> packets sent to one peer by transport-wide sequence number (a fixed ring: memory never
/// grows), so feedback can be matched with send times and sizes; also the recent send rate. Thread-safe.
/// </summary>
public sealed class TransportSendHistory
{
    public const int Capacity = 1 << 13; // about 10 s at 6 Mbit/s

    private readonly SentPacket[] _ring = new SentPacket[Capacity];
    private readonly Lock _gate = new();
    private long _next;

    /// <summary>Unwrapped sequence number the next packet gets.</summary>
    public long NextSequence
    {
        get { lock (_gate) { return _next; } }
    }

    /// <summary>Records a packet leaving now and returns its unwrapped sequence number.</summary>
    public long Add(int size, long sendMicros, int probeCluster = -1)
    {
        lock (_gate)
        {
            var sequence = _next++;
            _ring[sequence & (Capacity - 1)] = new SentPacket(sequence, sendMicros, size, probeCluster);
            return sequence;
        }
    }

    /// <summary>The unwrapped sequence number closest to the newest sent one whose low 16 bits are <paramref name="wire"/>.</summary>
    public long Unwrap(ushort wire)
    {
        lock (_gate)
        {
            var reference = _next - 1;
            var delta = (short)unchecked((ushort)(wire - (ushort)reference));
            return reference + delta;
        }
    }

    public bool TryGet(long sequence, out SentPacket packet)
    {
        lock (_gate)
        {
            packet = _ring[sequence & (Capacity - 1)];
            return sequence >= 0 && sequence < _next && packet.Sequence == sequence && packet.Size > 0;
        }
    }

    /// <summary>Bit/s sent over the last <paramref name="windowMicros"/> (walks back from the newest packet).</summary>
    public long SendRate(long nowMicros, long windowMicros)
    {
        lock (_gate)
        {
            long bytes = 0;
            for (var sequence = _next - 1; sequence >= 0 && sequence > _next - Capacity; sequence--)
            {
                ref readonly var packet = ref _ring[sequence & (Capacity - 1)];
                if (packet.SendMicros < nowMicros - windowMicros)
                {
                    break;
                }
                if (packet.ProbeCluster < 0)
                {
                    bytes += packet.Size; // probes are ours, not the application's
                }
            }
            return bytes * 8 * 1_000_000 / windowMicros;
        }
    }
}
