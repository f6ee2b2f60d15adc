using System.Text.Json.Serialization;

namespace BrowserIsolation.Orchestrator.Sessions;

[JsonConverter(typeof(JsonStringEnumConverter<SessionStatus>))]
public enum SessionStatus
{
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("ready")] Ready,
    [JsonStringEnumMemberName("terminated")] Terminated,
    [JsonStringEnumMemberName("error")] Error,
}

/// <summary>A session as stored (shared by every orchestrator replica). Immutable: change it with <c>with</c>.</summary>
public sealed record Session
{
    public required string SessionId { get; init; }

    public required string Url { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    public SessionStatus Status { get; init; } = SessionStatus.Pending;

    public string? Error { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ReadyAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Last time a client connected, left, or a replica reported clients still connected.</summary>
    public DateTimeOffset LastActivityAt { get; init; }

    public long? StartupMs { get; init; }

    /// <summary>Whether the runner came from the warm pool (metrics tag hit/miss).</summary>
    public bool PoolHit { get; init; }

    public string? RunnerId { get; init; }

    public string? RunnerUri { get; init; }

    public string? RunnerToken { get; init; }

    public string? Provider { get; init; }

    /// <summary>API key (or "anonymous") that created it, for per-key limits.</summary>
    public string? CreatedBy { get; init; }

    [JsonIgnore]
    public bool IsActive => Status is SessionStatus.Pending or SessionStatus.Ready;
}
