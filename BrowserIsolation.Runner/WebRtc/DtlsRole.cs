namespace BrowserIsolation.Runner.WebRtc;

/// <summary>Who sends the ClientHello (RFC 5763 a=setup: "active" is the client, "passive" the server).</summary>
public enum DtlsRole
{
    Server,
    Client,
}
