namespace BrowserIsolation.Runner.Participants;

/// <summary>A control operation that is not allowed or not possible; becomes <c>{"type":"error","code",...}</c> or a problem.</summary>
public sealed class ControlRefusedException(string code, string message, int status = 409) : Exception(message)
{
    public string Code { get; } = code;

    /// <summary>HTTP status when refused through the runner's API.</summary>
    public int Status { get; } = status;
}
