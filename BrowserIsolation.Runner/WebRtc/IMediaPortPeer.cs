using System.Net;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>What the shared UDP port hands to the peer a datagram belongs to. Called on the port's receive thread.</summary>
public interface IMediaPortPeer
{
    void OnStun(StunMessage message, IPEndPoint source);

    void OnDtls(ReadOnlySpan<byte> datagram, IPEndPoint source);

    /// <summary>SRTCP, decrypted in place by the peer (the buffer is the port's and is reused after the call).</summary>
    void OnRtcp(Span<byte> datagram, IPEndPoint source);
}
