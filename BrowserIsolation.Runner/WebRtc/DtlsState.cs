namespace BrowserIsolation.Runner.WebRtc;

public enum DtlsState
{
    New,
    Connecting,
    Connected,
    Failed,
    Closed,
}
