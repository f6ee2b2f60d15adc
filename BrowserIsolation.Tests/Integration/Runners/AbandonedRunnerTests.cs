using System.Diagnostics;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Runners.Process;
using BrowserIsolation.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Tests.Integration.Runners;

/// <summary>A runner whose starting orchestrator died before it was ready is ended, not left running untracked.</summary>
[Trait("Category", "Integration")]
public sealed class AbandonedRunnerTests
{
    [Fact]
    public async Task ListingEndsARunnerThatNeverBecameReadyForAnyone()
    {
        var root = Directory.CreateTempSubdirectory("bi-abandoned-").FullName;
        // Stands in for a runner process as /proc shows one: its own process group, the runner dll on its command line,
        // its id in its environment (a pid that is not a runner is never signalled).
        var runnerPath = Path.Combine(root, "BrowserIsolation.Runner.dll");
        var start = new ProcessStartInfo("setsid", ["sh", "-c", "sleep 600; :", runnerPath]) { UseShellExecute = false };
        start.Environment["Runner__Id"] = "r-abandoned";
        using var orphan = Process.Start(start)!;
        try
        {
            // Until setsid has run, the child leads no group and is rightly not taken for a runner: wait for it.
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (!LeadsItsGroup(orphan.Id) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }
            var dir = Directory.CreateDirectory(Path.Combine(root, "r-abandoned")).FullName;
            var pidFile = Path.Combine(dir, "runner.pid");
            await File.WriteAllTextAsync(pidFile, orphan.Id.ToString());
            var provider = new ProcessRunnerProvider(Options.Create(new RunnerOptions
            {
                StartTimeout = TimeSpan.FromSeconds(1),
                Process = new ProcessRunnerOptions { WorkRoot = root, RunnerPath = runnerPath },
            }), NullLogger<ProcessRunnerProvider>.Instance);

            // Too young: its starter may still be waiting for it.
            Assert.Empty(await provider.ListAsync(CancellationToken.None));
            Assert.True(RunnerLeftovers.IsAlive(orphan.Id));

            File.SetLastWriteTimeUtc(pidFile, DateTime.UtcNow.AddMinutes(-1));
            Assert.Empty(await provider.ListAsync(CancellationToken.None));
            Assert.True(orphan.WaitForExit(5000), "the abandoned runner was not ended");
            Assert.False(Directory.Exists(dir));
        }
        finally
        {
            if (!orphan.HasExited)
            {
                orphan.Kill(entireProcessTree: true);
            }
            Directory.Delete(root, recursive: true);
        }
    }

    private static bool LeadsItsGroup(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2] == pid.ToString();
        }
        catch (IOException)
        {
            return false;
        }
    }
}
