using System.Net;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>What an ICE-lite agent made of one incoming STUN message.</summary>
/// <param name="Response">The datagram to send back to the source, or null when the message is dropped silently.</param>
/// <param name="IsValid">True when it was an authenticated Binding request we answered with success.</param>
/// <param name="SelectedChanged">True when the selected remote address changed (first valid check or a nomination).</param>
/// <param name="ErrorCode">The STUN error code we answered with, or 0.</param>
public readonly record struct IceCheckResult(byte[]? Response, bool IsValid, bool SelectedChanged, int ErrorCode)
{
    public static IceCheckResult Dropped => default;

    public IPEndPoint? Selected { get; init; }
}
