namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// Raised by <see cref="EgressProxy.Refused"/>. <see cref="Url"/> is known for plain HTTP only; for a CONNECT tunnel
/// (HTTPS, WebSockets) Chromium shows its own error page, and the CDP layer can use this event to replace it with
/// <see cref="BlockPage"/>.
/// </summary>
public sealed record EgressRefusal(
    string Host, int Port, string? Url, bool Tunnel, string Category, string Reason, DateTimeOffset At);
