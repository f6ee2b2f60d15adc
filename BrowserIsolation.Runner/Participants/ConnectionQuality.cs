namespace BrowserIsolation.Runner.Participants;

/// <summary>What a participant's client reports about its picture: transport, frames shown per second, kbit/s in, round trip.</summary>
public sealed record ConnectionQuality(string Transport, double Fps, double Kbps, double? RttMs, DateTimeOffset ReportedAt);
