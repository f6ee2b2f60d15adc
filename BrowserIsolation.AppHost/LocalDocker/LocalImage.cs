namespace BrowserIsolation.AppHost.LocalDocker;

/// <summary>An image built on the local engine from a Dockerfile in the repository, never pulled.</summary>
public sealed record LocalImage(string Name, string Tag, string ContextDirectory)
{
    public string Reference => $"{Name}:{Tag}";
}
