namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>A sent packet the receiver reported: when it left and when it arrived (the receiver's clock, µs).</summary>
public readonly record struct PacketResult(SentPacket Sent, long ArrivalMicros);
