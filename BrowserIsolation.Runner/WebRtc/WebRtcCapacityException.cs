namespace BrowserIsolation.Runner.WebRtc;

/// <summary>The runner (503) or the participant (429, <see cref="PerParticipant"/>) already has its maximum number of peers.</summary>
public sealed class WebRtcCapacityException(string message, bool perParticipant = false) : Exception(message)
{
    public bool PerParticipant { get; } = perParticipant;
}
