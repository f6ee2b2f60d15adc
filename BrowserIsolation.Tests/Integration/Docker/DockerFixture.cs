using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using BrowserIsolation.Orchestrator.Runners.Docker;
using Docker.DotNet;
using Docker.DotNet.Models;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Docker;

[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerFixture>
{
    public const string Name = "Docker";
}

/// <summary>
/// A real dockerd and the runner image, once per test run. The daemon comes from DOCKER_HOST (test.sh runs
/// scripts/docker-engine.sh first, or sets BI_DOCKER_UNAVAILABLE), else this fixture runs that script itself.
/// No daemon is a failure, never a skip.
/// The image is built from the runner's self-contained publish output and tagged by its content hash, so an unchanged
/// runner is not built again.
/// </summary>
public sealed class DockerFixture : IAsyncLifetime
{
    public IDockerClient Client { get; private set; } = null!;

    public DockerEndpoint Endpoint { get; private set; } = null!;

    /// <summary>bridge or host, as scripts/docker-engine.sh found the machine (BI_DOCKER_NETWORK).</summary>
    public string Network { get; private set; } = "bridge";

    /// <summary>The runner image built for this run.</summary>
    public string Image { get; private set; } = "";

    public string DockerHost { get; private set; } = "";

    private static string RepoRoot => RepoPaths.Root;

    /// <summary>How long the image build took in this run; zero when the cached image was reused.</summary>
    public TimeSpan ImageBuildTime { get; private set; }

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("BI_DOCKER_UNAVAILABLE") is { Length: > 0 } why)
        {
            throw new InvalidOperationException($"These tests need a Docker daemon and the test command could not start one: {why}");
        }
        DockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "";
        Network = Environment.GetEnvironmentVariable("BI_DOCKER_NETWORK") ?? "";
        if (string.IsNullOrEmpty(DockerHost))
        {
            var settings = await RunDockerUpAsync();
            DockerHost = settings.GetValueOrDefault("DOCKER_HOST", "");
            Network = settings.GetValueOrDefault("BI_DOCKER_NETWORK", Network);
        }
        Network = Network is "host" ? "host" : "bridge";
        Endpoint = DockerEndpoint.Parse(DockerHost);
        Client = Endpoint.CreateClient();
        try
        {
            await Client.System.PingAsync(CancellationToken.None);
        }
        catch (Exception e) when (DockerFailure.Is(e, CancellationToken.None))
        {
            throw new InvalidOperationException(
                $"These tests need a Docker daemon and none answers at DOCKER_HOST={DockerHost}: {DockerFailure.Describe(e, Endpoint)}. " +
                "Start one with scripts/docker-engine.sh (eval its output) and run the tests again.", e);
        }
        Image = await EnsureRunnerImageAsync();
    }

    public Task DisposeAsync()
    {
        Client?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Options for a provider that only sees its own containers (a unique owner per test).</summary>
    public DockerRunnerOptions Options(string owner, string? network = null) => new()
    {
        Host = DockerHost,
        Image = Image,
        Network = network ?? Network,
        BindIp = "127.0.0.1",
        Owner = owner,
        PortRange = "41000-41999",
        MemoryBytes = 768L << 20,
        NanoCpus = 1_500_000_000,
        PidsLimit = 400,
    };

    /// <summary>Containers carrying <c>browserisolation.{label}={value}</c>.</summary>
    public async Task<IList<ContainerListResponse>> ContainersAsync(string label, string value, bool includeStopped = false) =>
        await Client.Containers.ListLabelledAsync(new Dictionary<string, string?> { [$"browserisolation.{label}"] = value }, includeStopped, CancellationToken.None);

    /// <summary>Waits until the daemon no longer knows the container.</summary>
    public Task WaitUntilGoneAsync(string containerId, TimeSpan timeout) =>
        WaitUntilAsync(async () => await Client.Containers.InspectOrNullAsync(containerId, CancellationToken.None) is null, timeout);

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"condition not met within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Removes, by id, every container of this owner (the finally of every test that starts containers).</summary>
    public async Task RemoveOwnedAsync(string owner)
    {
        foreach (var container in await ContainersAsync("owner", owner, includeStopped: true))
        {
            await Client.Containers.RemoveForcedAsync(container.ID, CancellationToken.None);
        }
    }

    public static string NewOwner() => "test-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Settings for an orchestrator process with Docker runners of this owner only.</summary>
    public Dictionary<string, string> OrchestratorSettings(string owner) => new()
    {
        ["Runner__Provider"] = "docker",
        ["Runner__Docker__Host"] = DockerHost,
        ["Runner__Docker__Image"] = Image,
        ["Runner__Docker__Network"] = Network,
        ["Runner__Docker__BindIp"] = "127.0.0.1",
        ["Runner__Docker__Owner"] = owner,
        ["Runner__Docker__PortRange"] = "42000-42999",
        ["Runner__StartTimeout"] = "00:01:00",
    };

    private static async Task<Dictionary<string, string>> RunDockerUpAsync()
    {
        var script = RepoPaths.DockerEngineScript;
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"DOCKER_HOST is not set and {script} does not exist: these tests need a Docker daemon.");
        }
        var (code, stdout, stderr) = await RunAsync("bash", [script, "up"], RepoRoot, TimeSpan.FromMinutes(15));
        if (code != 0)
        {
            throw new InvalidOperationException($"{script} failed (exit {code}); these tests need a Docker daemon:\n{Tail(stderr, 25)}");
        }
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
    }

    private async Task<string> EnsureRunnerImageAsync()
    {
        var publishDir = Path.Combine(RepoRoot, "artifacts", "runner-image", "publish");
        var runnerDir = Path.Combine(RepoRoot, "BrowserIsolation.Runner");
        // Own artifacts path: the RID-specific restore must not touch the obj/ of the test build.
        var (code, stdout, stderr) = await RunAsync(DotnetHost(),
            ["publish", Path.Combine(runnerDir, "BrowserIsolation.Runner.csproj"), "-c", "Release", "-r", "linux-x64", "--self-contained", "true",
             "--artifacts-path", Path.Combine(RepoRoot, "artifacts", "runner-image"), "-o", publishDir, "-nologo",
             // Without the commit id in the assembly version, a commit that leaves the runner alone leaves the image alone too.
             "-p:IncludeSourceRevisionInInformationalVersion=false"],
            RepoRoot, TimeSpan.FromMinutes(10));
        if (code != 0)
        {
            throw new InvalidOperationException($"dotnet publish of the runner failed (exit {code}):\n{Tail(stdout + stderr, 30)}");
        }

        var dockerfile = await File.ReadAllBytesAsync(Path.Combine(runnerDir, "Dockerfile"));
        var files = Directory.GetFiles(publishDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var tag = $"browserisolation-runner:test-{ContentHash(dockerfile, publishDir, files)}";
        if (await ImageExistsAsync(tag))
        {
            return tag;
        }

        var watch = Stopwatch.StartNew();
        var context = Path.Combine(Path.GetTempPath(), $"bi-runner-context-{Guid.NewGuid():N}.tar");
        try
        {
            await using (var tar = File.Create(context))
            await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: false))
            {
                await writer.WriteEntryAsync(Path.Combine(runnerDir, "Dockerfile"), "Dockerfile");
                foreach (var file in files)
                {
                    await writer.WriteEntryAsync(file, "bin/image/" + Path.GetRelativePath(publishDir, file).Replace('\\', '/'));
                }
            }
            await using var body = File.OpenRead(context);
            var output = new StringBuilder();
            try
            {
                await BuildImageAsync(body, tag, networkMode: "host", line => output.AppendLine(line));
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidOperationException($"building the runner image failed: {e.Message}\n{Tail(output.ToString(), 30)}", e);
            }
        }
        finally
        {
            File.Delete(context);
        }
        ImageBuildTime = watch.Elapsed;
        Console.WriteLine($"[docker] built {tag} in {ImageBuildTime.TotalSeconds:0.0} s");
        await RemoveStaleTestImagesAsync(tag);
        return tag;
    }

    /// <summary>Test images of earlier runner builds (and images derived from them) only take disk space.</summary>
    private async Task RemoveStaleTestImagesAsync(string current)
    {
        var filter = new ImagesListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["reference"] = new Dictionary<string, bool> { ["browserisolation-runner:*test-*"] = true } },
        };
        foreach (var image in await Client.Images.ListImagesAsync(filter, CancellationToken.None))
        {
            foreach (var name in image.RepoTags ?? [])
            {
                if (name != current && !name.EndsWith(current.Split(':')[1], StringComparison.Ordinal))
                {
                    try
                    {
                        await Client.Images.DeleteImageAsync(name, new ImageDeleteParameters(), CancellationToken.None);
                    }
                    catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
                    {
                        // still used by a container (another run in progress)
                    }
                }
            }
        }
    }

    public async Task<bool> ImageExistsAsync(string name)
    {
        try
        {
            await Client.Images.InspectImageAsync(name, CancellationToken.None);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Builds an image from a tar build context with the classic builder, never pulling (the base must be local). The
    /// build reports a failed step in its message stream, not by status: that becomes an InvalidOperationException.
    /// </summary>
    public async Task BuildImageAsync(Stream tarContext, string tag, string? networkMode, Action<string>? output)
    {
        var parameters = new ImageBuildParameters { Tags = [tag], Remove = true, ForceRemove = true, NetworkMode = networkMode };
        string? error = null;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await Client.Images.BuildImageFromDockerfileAsync(parameters, tarContext, null, null, new BuildOutput(message =>
        {
            error ??= message.Error?.Message ?? message.ErrorMessage;
            if (message.Stream is { } text)
            {
                output?.Invoke(text.TrimEnd('\n'));
            }
        }), deadline.Token);
        if (!string.IsNullOrWhiteSpace(error) || !await ImageExistsAsync(tag))
        {
            throw new InvalidOperationException(string.IsNullOrWhiteSpace(error) ? $"the build of {tag} ended without an image" : error.Trim());
        }
    }

    /// <summary>Called on the client's reading loop, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class BuildOutput(Action<JSONMessage> report) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => report(value);
    }

    private static string ContentHash(byte[] dockerfile, string root, List<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(dockerfile);
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(root, file) + "\0"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, string[] args, string workDir, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    internal static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));
}
