namespace BrowserIsolation.ServiceDefaults.Telemetry;

public static class OpenTelemetrySetup
{
    /// <summary>The meter and activity source every BrowserIsolation service reports on.</summary>
    public const string SourceName = "BrowserIsolation";
}
