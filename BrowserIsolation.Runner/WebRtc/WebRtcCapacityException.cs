namespace BrowserIsolation.Runner.WebRtc;

/// <summary>The runner already serves its maximum number of peers (503).</summary>
public sealed class WebRtcCapacityException(string message) : Exception(message);
