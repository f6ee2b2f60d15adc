namespace BrowserIsolation.DockerColdStartBench;

/// <summary>--runs N, --image NAME, --orchestrator PATH; the daemon from DOCKER_HOST and BI_DOCKER_NETWORK (scripts/docker-engine.sh).</summary>
public sealed record BenchOptions(int Runs, string Image, string OrchestratorDll, string DockerHost, string Network)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var root = FindRoot();
        var dll = Arg("--orchestrator") ?? Path.Combine(root, "BrowserIsolation.Orchestrator", "bin", "Release", "net10.0", "BrowserIsolation.Orchestrator.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: dotnet build BrowserIsolation.Orchestrator -c Release (or pass --orchestrator)");
        }
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } h ? h
            : throw new InvalidOperationException("DOCKER_HOST is not set: eval \"$(scripts/docker-engine.sh up)\" first (bench/BrowserIsolation.DockerColdStartBench/run.sh does)");
        return new BenchOptions(
            int.TryParse(Arg("--runs"), out var runs) && runs > 0 ? runs : 5,
            Arg("--image") ?? "browserisolation-runner:latest",
            dll,
            dockerHost,
            Environment.GetEnvironmentVariable("BI_DOCKER_NETWORK") is "host" ? "host" : "bridge");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BrowserIsolation.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("BrowserIsolation.sln not found above " + AppContext.BaseDirectory);
    }
}
