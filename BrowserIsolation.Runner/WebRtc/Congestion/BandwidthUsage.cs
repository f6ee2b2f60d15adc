namespace BrowserIsolation.Runner.WebRtc.Congestion;

/// <summary>What the delay trend says about the path's queue.</summary>
public enum BandwidthUsage
{
    Normal,
    Underusing,
    Overusing,
}
