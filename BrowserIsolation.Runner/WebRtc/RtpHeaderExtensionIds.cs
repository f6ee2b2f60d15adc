namespace BrowserIsolation.Runner.WebRtc;

/// <summary>Extension ids the SDP negotiation agreed on (1..14, one-byte form); 0 = not negotiated, not sent.</summary>
public sealed record RtpHeaderExtensionIds(int PlayoutDelay = 0, int AbsSendTime = 0, int TransportSequenceNumber = 0)
{
    public static RtpHeaderExtensionIds None { get; } = new();
}
