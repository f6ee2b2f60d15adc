namespace BrowserIsolation.Runner.WebRtc;

/// <summary>Sends one UDP datagram to wherever the owner's peer currently is.</summary>
public delegate void DatagramSender(ReadOnlySpan<byte> datagram);
