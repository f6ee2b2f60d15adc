namespace BrowserIsolation.Runner.WebRtc;

/// <summary>Transport settings, bound from the "Media" configuration section.</summary>
public sealed class WebRtcTransportOptions
{
    public const string Section = "Media";

    /// <summary>The one UDP port all peers share; 0 picks a free one.</summary>
    public int UdpPort { get; set; }

    /// <summary>Address the UDP socket binds; the wildcard by default (candidates are then every interface address).</summary>
    public string? UdpBindAddress { get; set; }

    /// <summary>NAT 1:1: the address to announce instead of the host addresses.</summary>
    public string? PublicIp { get; set; }

    /// <summary>With <see cref="PublicIp"/>, also announce the host addresses (after the public one).</summary>
    public bool KeepHostCandidates { get; set; }

    /// <summary>Seconds without a valid connectivity check before a peer is dropped (RFC 7675 uses 30).</summary>
    public double ConsentTimeoutSeconds { get; set; } = 15;

    /// <summary>Take the DTLS client role when the browser lets us choose (actpass): our ClientHello leaves with the first valid check.</summary>
    public bool PreferDtlsClient { get; set; }

    /// <summary>Largest datagram we send (600-1500): DTLS flights are packed up to it, RTP packets are cut to it.</summary>
    public int Mtu { get; set; } = 1200;

    /// <summary>Peers one runner accepts at once; further offers get 503.</summary>
    public int MaxPeers { get; set; } = 16;

    /// <summary>Open peers one participant (the orchestrator's ?participant=) may have at once; further offers get 429.</summary>
    public int MaxPeersPerParticipant { get; set; } = 4;

    /// <summary>
    /// Negotiate transport-wide congestion control when the browser offers it: every RTP packet carries a transport
    /// sequence number and the viewer's transport feedback drives send-side estimation; off = REMB and loss reports only.
    /// </summary>
    public bool TransportCc { get; set; } = true;
}
