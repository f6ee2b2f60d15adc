using System.Diagnostics.Metrics;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Clients;
using BrowserIsolation.ServiceDefaults.Telemetry;

namespace BrowserIsolation.Runner.Capture;

/// <summary>The runner's stream as OpenTelemetry sees it: fps captured, frames and bytes sent, clients connected.</summary>
public sealed class StreamMetrics
{
    public StreamMetrics(IMeterFactory meters, BrowserHost browser, ClientHub clients, RunnerState state)
    {
        var meter = meters.Create(OpenTelemetrySetup.SourceName);
        KeyValuePair<string, object?>[] Tags() => [new("session.id", state.SessionId ?? "")];
        meter.CreateObservableGauge("browserisolation.stream.fps",
            () => new Measurement<double>(browser.IsReady ? browser.Screencast.Captured.PerSecond : 0, Tags()),
            "{frame}/s", "Frames captured per second from Chromium");
        meter.CreateObservableCounter("browserisolation.stream.frames_captured",
            () => new Measurement<long>(browser.IsReady ? browser.Screencast.Captured.Total : 0, Tags()),
            "{frame}", "Frames captured from Chromium");
        meter.CreateObservableCounter("browserisolation.stream.frames_sent",
            () => new Measurement<long>(clients.FramesSent, Tags()), "{frame}", "JPEG frames sent to WebSocket clients");
        meter.CreateObservableCounter("browserisolation.stream.bytes_sent",
            () => new Measurement<long>(clients.BytesSent, Tags()), "By", "JPEG bytes sent to WebSocket clients (their bitrate)");
        meter.CreateObservableGauge("browserisolation.stream.clients",
            () => new Measurement<int>(clients.Count, Tags()), "{client}", "WebSocket clients connected");
    }
}
