namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>The change between two consecutive packet groups: in send time, in arrival time and in size.</summary>
public readonly record struct GroupDelta(long SendDeltaMicros, long ArrivalDeltaMicros, int SizeDelta, long ArrivalMicros);

/// <summary>
/// Groups packets sent within 5 ms of a group's first (a frame's burst) and yields the deltas between consecutive
/// complete groups, as libwebrtc's InterArrivalDelta: a packet that arrives within 5 ms of the group's last one with
/// a negative propagation delta belongs to the same burst (a queue emptying); packets sent before the current group
/// started are reordered and skipped; three reordered groups in a row reset the state. Feed packets in arrival order.
/// </summary>
public sealed class InterArrival
{
    public const long GroupLengthMicros = 5_000;
    public const long BurstDeltaMicros = 5_000;
    public const long MaxBurstDurationMicros = 100_000;
    private const int MaxReorderedGroups = 3;

    private Group _current = Group.Empty;
    private Group _previous = Group.Empty;
    private int _reordered;

    /// <summary>Adds one packet; returns the delta when it started a new group and the two before it were complete.</summary>
    public GroupDelta? Add(long sendMicros, long arrivalMicros, int size)
    {
        GroupDelta? delta = null;
        if (_current.IsEmpty)
        {
            _current = new Group(sendMicros, sendMicros, arrivalMicros, arrivalMicros, 0);
        }
        else if (sendMicros < _current.FirstSend)
        {
            return null; // sent before this group began: reordered
        }
        else if (StartsNewGroup(sendMicros, arrivalMicros))
        {
            if (!_previous.IsEmpty)
            {
                var arrivalDelta = _current.LastArrival - _previous.LastArrival;
                if (arrivalDelta < 0)
                {
                    if (++_reordered >= MaxReorderedGroups)
                    {
                        Reset();
                    }
                    return null;
                }
                _reordered = 0;
                delta = new GroupDelta(_current.Send - _previous.Send, arrivalDelta, _current.Size - _previous.Size, _current.LastArrival);
            }
            _previous = _current;
            _current = new Group(sendMicros, sendMicros, arrivalMicros, arrivalMicros, 0);
        }
        else
        {
            _current = _current with { Send = Math.Max(_current.Send, sendMicros) };
        }
        _current = _current with { Size = _current.Size + size, LastArrival = arrivalMicros };
        return delta;
    }

    public void Reset()
    {
        _current = Group.Empty;
        _previous = Group.Empty;
        _reordered = 0;
    }

    private bool StartsNewGroup(long sendMicros, long arrivalMicros)
    {
        if (BelongsToBurst(sendMicros, arrivalMicros))
        {
            return false;
        }
        return sendMicros - _current.FirstSend > GroupLengthMicros;
    }

    private bool BelongsToBurst(long sendMicros, long arrivalMicros)
    {
        var arrivalDelta = arrivalMicros - _current.LastArrival;
        var sendDelta = sendMicros - _current.Send;
        if (sendDelta == 0)
        {
            return true;
        }
        var propagationDelta = arrivalDelta - sendDelta;
        return propagationDelta < 0 && arrivalDelta <= BurstDeltaMicros && arrivalMicros - _current.FirstArrival < MaxBurstDurationMicros;
    }

    private readonly record struct Group(long FirstSend, long Send, long FirstArrival, long LastArrival, int Size)
    {
        public static Group Empty { get; } = new(long.MinValue, long.MinValue, long.MinValue, long.MinValue, 0);

        public bool IsEmpty => FirstSend == long.MinValue;
    }
}
