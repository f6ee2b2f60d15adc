namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>Response of GET /version.</summary>
public sealed record DockerVersion(string Version, string ApiVersion, string? MinAPIVersion, string? Os, string? Arch, string? KernelVersion);
