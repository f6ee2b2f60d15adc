using System.Globalization;

namespace BrowserIsolation.Runner.Policy;

/// <summary>Splits <c>host:port</c> / <c>[v6]:port</c> authorities (CONNECT targets, allow entries, URL authorities).</summary>
public static class HostPort
{
    /// <param name="authority">host, host:port, [v6] or [v6]:port. No user info.</param>
    /// <param name="defaultPort">used when the authority has no port; null makes the port mandatory.</param>
    public static bool TrySplit(string authority, int? defaultPort, out string host, out int port)
    {
        host = "";
        port = 0;
        if (string.IsNullOrEmpty(authority) || authority.Contains('@'))
        {
            return false;
        }
        string portText;
        if (authority[0] == '[')
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return false;
            }
            host = authority[..(close + 1)];
            var rest = authority[(close + 1)..];
            if (rest.Length == 0)
            {
                portText = "";
            }
            else if (rest[0] == ':')
            {
                portText = rest[1..];
            }
            else
            {
                return false;
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            if (colon < 0)
            {
                host = authority;
                portText = "";
            }
            else
            {
                host = authority[..colon];
                portText = authority[(colon + 1)..];
                if (host.Contains(':'))
                {
                    return false; // unbracketed IPv6
                }
            }
        }
        if (host.Length == 0)
        {
            return false;
        }
        if (portText.Length == 0)
        {
            if (defaultPort is null)
            {
                return false;
            }
            port = defaultPort.Value;
            return true;
        }
        return portText.Length <= 5 && portText.All(char.IsAsciiDigit)
            && int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port)
            && port is > 0 and <= 65535;
    }
}
