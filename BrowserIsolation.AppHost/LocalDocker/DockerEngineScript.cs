using System.Diagnostics;

namespace BrowserIsolation.AppHost.LocalDocker;

/// <summary>
/// The repository's scripts/docker-engine.sh: a private dockerd (reused when one answers) and the local Debian base image,
/// then the images the app needs, built with the classic builder (no registry, no buildx on this kind of machine).
/// </summary>
public sealed class DockerEngineScript(string repositoryRoot)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(20);

    public string Path { get; } = System.IO.Path.Combine(repositoryRoot, "scripts", "docker-engine.sh");

    /// <summary>Starts (or reuses) the engine and points this process, and so DCP, at it through DOCKER_HOST.</summary>
    public string Up()
    {
        var output = Run(["up"], CancellationToken.None).GetAwaiter().GetResult();
        var dockerHost = Value(output, "DOCKER_HOST") ?? throw new InvalidOperationException($"{Path} printed no DOCKER_HOST");
        Environment.SetEnvironmentVariable("DOCKER_HOST", dockerHost);
        return dockerHost;
    }

    public Task BuildAsync(LocalImage image, CancellationToken cancellationToken) =>
        Run(["image", image.Reference, image.ContextDirectory], cancellationToken);

    private async Task<string> Run(string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // An engine the user already chose (DOCKER_HOST=unix://...) is the one the script reuses or starts.
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { } host && host.StartsWith("unix://", StringComparison.Ordinal))
        {
            start.Environment["BI_DOCKER_SOCK"] = host["unix://".Length..];
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Path}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path} {string.Join(' ', arguments)} failed (exit {process.ExitCode}):\n{await stderr}");
        }
        return await stdout;
    }

    private static string? Value(string output, string name) =>
        output.Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault(l => l.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
}
