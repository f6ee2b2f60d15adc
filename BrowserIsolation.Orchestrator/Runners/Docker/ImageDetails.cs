namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>Response of GET /images/{name}/json: the fields the runner provider checks.</summary>
public sealed class ImageDetails
{
    public required string Id { get; init; }
    public List<string>? RepoTags { get; init; }
    public long Size { get; init; }
    public ContainerConfig Config { get; init; } = new();
}

/// <summary>One entry of GET /images/json.</summary>
public sealed class ImageSummary
{
    public required string Id { get; init; }
    public List<string>? RepoTags { get; init; }
    public long Size { get; init; }
}
