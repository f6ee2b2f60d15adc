namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>One packet as it left: its unwrapped transport-wide sequence number, send time (µs), size and probe cluster (-1: none).</summary>
public readonly record struct SentPacket(long Sequence, long SendMicros, int Size, int ProbeCluster);
