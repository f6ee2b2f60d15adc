using System.Text.Json.Serialization;

namespace BrowserIsolation.Runner.Participants;

/// <summary>Exclusive: one participant drives at a time. Shared: every controller and owner present drives at once.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ControlMode>))]
public enum ControlMode
{
    [JsonStringEnumMemberName("exclusive")] Exclusive,
    [JsonStringEnumMemberName("shared")] Shared,
}
