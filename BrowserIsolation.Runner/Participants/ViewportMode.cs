using System.Text.Json.Serialization;

namespace BrowserIsolation.Runner.Participants;

/// <summary>Whether the remote viewport keeps the session's size or follows the owner's window.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ViewportMode>))]
public enum ViewportMode
{
    [JsonStringEnumMemberName("fixed")] Fixed,
    [JsonStringEnumMemberName("follow-owner")] FollowOwner,
}
