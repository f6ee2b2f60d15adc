using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Runners.Process;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Tests.Fixtures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// Chromium keeps its shared memory in /dev/shm when that is big enough (measured at launch), and moves it to TMPDIR
/// with <c>--disable-dev-shm-usage</c> only where /dev/shm is small (a container's default 64 MiB).
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Security")]
public sealed class SharedMemoryTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void TheFlagIsKeptOnlyWhereDevShmIsSmallOrMissing()
    {
        Assert.False(SharedMemory.UseDevShm(null, 512 * MiB));
        Assert.False(SharedMemory.UseDevShm(64 * MiB, 512 * MiB)); // Docker's default /dev/shm
        Assert.True(SharedMemory.UseDevShm(1024 * MiB, 512 * MiB)); // what Docker runners get (ShmSizeBytes)
        Assert.Null(SharedMemory.Size("/no/such/dir"));
        var size = SharedMemory.Size();
        output.WriteLine($"/dev/shm here: {size} bytes");
        Assert.True(size > 0, "/dev/shm was not measured");
        // Debian's wrapper would add the flag itself below 3.8 GB: the binary behind it is started.
        Assert.Equal(File.Exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium" : "/usr/bin/chromium", SharedMemory.Binary("/usr/bin/chromium"));
        Assert.Equal("/opt/other/chrome", SharedMemory.Binary("/opt/other/chrome"));
    }

    [Fact]
    public async Task ChromiumGetsTheFlagOnlyBelowTheThreshold()
    {
        var devShm = SharedMemory.Size() ?? 0;
        Assert.True(await ChromiumUsesDevShmAsync(minBytes: devShm + 1) == false, "a /dev/shm below the threshold must move shared memory to TMPDIR");
        Assert.True(await ChromiumUsesDevShmAsync(minBytes: Math.Max(1, devShm / 2)), "a big enough /dev/shm must be used");
    }

    /// <summary>Starts a process runner with <c>Chromium:MinDevShmBytes</c> and tells whether its Chromium lacks the flag.</summary>
    private async Task<bool> ChromiumUsesDevShmAsync(long minBytes)
    {
        var root = Directory.CreateTempSubdirectory("bi-shm-").FullName;
        var runnerPath = Path.Combine(Path.GetDirectoryName(RepoPaths.OrchestratorDll)!, "runner", "BrowserIsolation.Runner.dll");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chromium:MinDevShmBytes"] = minBytes.ToString(),
            ["Media:UdpBindAddress"] = "127.0.0.1",
        }).Build();
        var provider = new ProcessRunnerProvider(Options.Create(new RunnerOptions
        {
            StartTimeout = TimeSpan.FromSeconds(60),
            Process = new ProcessRunnerOptions { WorkRoot = root, RunnerPath = runnerPath },
        }), NullLogger<ProcessRunnerProvider>.Instance, configuration: configuration);
        try
        {
            var runner = await provider.StartAsync(new RunnerStartRequest("r-shm-" + minBytes, 640, 480, new Dictionary<string, string>()), CancellationToken.None);
            var pid = RunnerLeftovers.ChromiumPid(Path.Combine(root, runner.RunnerId)) ?? throw new InvalidOperationException("no chromium.pid");
            var commandLine = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Split('\0');
            output.WriteLine($"threshold {minBytes}: {commandLine[0]} {(commandLine.Contains(SharedMemory.DisableDevShmFlag) ? "with" : "without")} {SharedMemory.DisableDevShmFlag}");
            return !commandLine.Contains(SharedMemory.DisableDevShmFlag);
        }
        finally
        {
            await provider.DisposeAsync();
            RunnerLeftovers.KillUnder(root);
            Directory.Delete(root, recursive: true);
        }
    }
}
