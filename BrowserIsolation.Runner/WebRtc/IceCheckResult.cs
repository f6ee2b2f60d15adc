using System.Net;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>What an ICE-lite agent made of one incoming STUN message.</summary>
/// <param name="Replies">Datagrams to send back to the source (answers, or our own consent check); empty when dropped.</param>
/// <param name="IsValid">True when it was an authenticated Binding request we answered with success.</param>
/// <param name="SelectedChanged">True when the selected remote address changed (first confirmed check or a nomination).</param>
/// <param name="ErrorCode">The STUN error code we answered with, or 0.</param>
public readonly record struct IceCheckResult(IReadOnlyList<byte[]>? Replies, bool IsValid, bool SelectedChanged, int ErrorCode)
{
    public static IceCheckResult Dropped => default;

    /// <summary>The first reply (the answer to a request), or null.</summary>
    public byte[]? Response => Replies is { Count: > 0 } r ? r[0] : null;

    public IPEndPoint? Selected { get; init; }

    /// <summary>Transaction id (hex) of a consent check we sent to the source: its response must be routed back to us.</summary>
    public string? CheckSent { get; init; }

    /// <summary>Transaction id (hex) of an earlier check that is no longer awaited.</summary>
    public string? CheckRetired { get; init; }

    /// <summary>True when the source address passed our own check (its answers, DTLS and RTCP are this peer's).</summary>
    public bool Confirmed { get; init; }
}
