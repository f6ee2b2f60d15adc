using System.Diagnostics;
using System.Numerics;
using BrowserIsolation.Runner.Media;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// The recently sent packets of one stream, by sequence number, for NACK retransmission (RFC 4585).
/// Bounded twice: a fixed ring of <see cref="Capacity"/> slots (memory never grows) and a maximum age.
/// A packet handed out for resending is refused again for <c>minResendInterval</c>, so a burst of
/// duplicate NACKs costs one retransmission. Thread-safe: the sender stores, the RTCP reader fetches.
/// Store whatever goes on the wire: keeping SRTP-protected packets avoids protecting a sequence number
/// twice (libsrtp refuses that unless allow_repeat_tx is set).
/// </summary>
public sealed class RtpPacketHistory
{
    private readonly Slot[] _slots;
    private readonly int _mask;
    private readonly long _maxAgeTicks;
    private readonly long _minResendTicks;
    private readonly int _maxPacketSize;
    private readonly Lock _gate = new();
    private int _count;

    /// <param name="capacity">Packets kept at most; rounded up to a power of two.</param>
    /// <param name="maxAge">Older packets are not resent (the receiver has given up on them).</param>
    /// <param name="minResendInterval">A packet is resent at most once per this interval.</param>
    /// <param name="maxPacketSize">Largest packet stored (SRTP tag included).</param>
    public RtpPacketHistory(int capacity = 512, TimeSpan? maxAge = null, TimeSpan? minResendInterval = null, int maxPacketSize = 1500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 15);
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)capacity);
        _slots = new Slot[size];
        _mask = size - 1;
        _maxAgeTicks = MediaClock.MillisecondsToTicks((maxAge ?? TimeSpan.FromSeconds(1)).TotalMilliseconds);
        _minResendTicks = MediaClock.MillisecondsToTicks((minResendInterval ?? TimeSpan.FromMilliseconds(20)).TotalMilliseconds);
        _maxPacketSize = maxPacketSize;
    }

    public int Capacity => _slots.Length;

    /// <summary>Slots holding a packet (some may have aged out since).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public long Retransmissions { get; private set; }

    /// <summary>Keeps a copy of <paramref name="packet"/>; a packet too big to keep is ignored.</summary>
    public void Store(ushort sequenceNumber, ReadOnlySpan<byte> packet, long? nowTicks = null)
    {
        if (packet.Length > _maxPacketSize || packet.IsEmpty)
        {
            return;
        }
        var now = nowTicks ?? Stopwatch.GetTimestamp();
        lock (_gate)
        {
            ref var slot = ref _slots[sequenceNumber & _mask];
            slot.Data ??= new byte[_maxPacketSize];
            if (slot.Length == 0)
            {
                _count++;
            }
            packet.CopyTo(slot.Data);
            slot.Length = packet.Length;
            slot.SequenceNumber = sequenceNumber;
            slot.StoredAt = now;
            slot.Resent = false;
        }
    }

    /// <summary>
    /// Copies the packet with this sequence number into <paramref name="destination"/> if it is kept, young
    /// enough and not resent within the guard interval. Returns its length, or 0 when there is nothing to resend.
    /// </summary>
    public int TryGetForResend(ushort sequenceNumber, Span<byte> destination, long? nowTicks = null)
    {
        var now = nowTicks ?? Stopwatch.GetTimestamp();
        lock (_gate)
        {
            ref var slot = ref _slots[sequenceNumber & _mask];
            if (slot.Length == 0 || slot.SequenceNumber != sequenceNumber || now - slot.StoredAt > _maxAgeTicks
                || (slot.Resent && now - slot.ResentAt < _minResendTicks) || destination.Length < slot.Length)
            {
                return 0;
            }
            slot.ResentAt = now;
            slot.Resent = true;
            Retransmissions++;
            slot.Data.AsSpan(0, slot.Length).CopyTo(destination);
            return slot.Length;
        }
    }

    /// <summary>Copies a kept packet regardless of the resend guard (probe padding: a duplicate the receiver discards). 0 when not kept.</summary>
    public int TryPeek(ushort sequenceNumber, Span<byte> destination)
    {
        lock (_gate)
        {
            ref var slot = ref _slots[sequenceNumber & _mask];
            if (slot.Length == 0 || slot.SequenceNumber != sequenceNumber || destination.Length < slot.Length)
            {
                return 0;
            }
            slot.Data.AsSpan(0, slot.Length).CopyTo(destination);
            return slot.Length;
        }
    }

    /// <summary>Allocating variant of <see cref="TryGetForResend(ushort, Span{byte}, long?)"/>.</summary>
    public byte[]? GetForResend(ushort sequenceNumber, long? nowTicks = null)
    {
        var buffer = new byte[_maxPacketSize];
        var length = TryGetForResend(sequenceNumber, buffer, nowTicks);
        return length == 0 ? null : buffer[..length];
    }

    private struct Slot
    {
        public byte[]? Data;
        public int Length;
        public ushort SequenceNumber;
        public long StoredAt;
        public long ResentAt;
        public bool Resent;
    }
}
