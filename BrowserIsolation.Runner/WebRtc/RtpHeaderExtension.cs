namespace BrowserIsolation.Runner.WebRtc;

/// <summary>One RTP header extension element (RFC 8285): its local id and its value bytes.</summary>
public readonly record struct RtpHeaderExtension(int Id, ReadOnlyMemory<byte> Value);
