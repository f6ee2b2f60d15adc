using System.Security.Cryptography;
using System.Text;

namespace BrowserIsolation.Orchestrator.Signaling;

/// <summary>coturn's REST-API credentials: username <c>expiry:id</c>, credential base64(HMAC-SHA1(secret, username)).</summary>
public static class TurnCredentials
{
    public static (string Username, string Credential) Create(string secret, string id, DateTimeOffset expires)
    {
        var username = $"{expires.ToUnixTimeSeconds()}:{id}";
        var credential = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
        return (username, credential);
    }
}
