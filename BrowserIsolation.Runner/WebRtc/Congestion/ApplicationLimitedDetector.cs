namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>
/// Whether the application sends far below the estimate (a static page: the encoder has nothing to say), so feedback
/// says nothing about the link's capacity: enters below 50 % of the estimate, leaves above 65 % (hysteresis).
/// </summary>
public sealed class ApplicationLimitedDetector
{
    public const double EnterRatio = 0.50;
    public const double LeaveRatio = 0.65;

    public bool IsLimited { get; private set; }

    /// <summary>Returns true when the state changed.</summary>
    public bool Update(double sendRateBps, double estimateBps)
    {
        var limited = IsLimited ? sendRateBps < LeaveRatio * estimateBps : sendRateBps < EnterRatio * estimateBps;
        var changed = limited != IsLimited;
        IsLimited = limited;
        return changed;
    }
}
