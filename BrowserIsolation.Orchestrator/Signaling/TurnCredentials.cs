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

    /// <summary>
    /// One participant's credential (<c>expiry:session:participant</c>, so coturn's log names who relays), valid for
    /// <paramref name="lifetime"/> but never beyond the join token's own expiry.
    /// </summary>
    public static (string Username, string Credential, DateTimeOffset Expires) ForParticipant(string secret, string sessionId,
        string participantId, DateTimeOffset now, TimeSpan lifetime, DateTimeOffset? tokenExpires)
    {
        var expires = now + lifetime;
        if (tokenExpires is { } token && token < expires)
        {
            expires = token;
        }
        var (username, credential) = Create(secret, $"{sessionId}:{participantId}", expires);
        return (username, credential, expires);
    }
}
