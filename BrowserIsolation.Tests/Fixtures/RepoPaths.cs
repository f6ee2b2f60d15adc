namespace BrowserIsolation.Tests.Fixtures;

/// <summary>Where the built projects are, found from the test assembly's location.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public static string OrchestratorDll => Path.Combine(Root, "BrowserIsolation.Orchestrator", "bin", Configuration, "net10.0",
        "BrowserIsolation.Orchestrator.dll");

    public static string WebHostDll => Path.Combine(Root, "BrowserIsolation.Web", "bin", Configuration, "net10.0", "BrowserIsolation.Web.dll");

    public static string DockerEngineScript => Path.Combine(Root, "scripts", "docker-engine.sh");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "BrowserIsolation.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("BrowserIsolation.sln not found above " + AppContext.BaseDirectory);
    }
}
