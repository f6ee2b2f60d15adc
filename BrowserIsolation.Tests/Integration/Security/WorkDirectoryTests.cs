using System.Diagnostics;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Runners.Process;
using BrowserIsolation.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// Process runners' files are the service user's alone; a planted symlink or another user's directory is refused; a
/// pid read back from disk is signalled only when it is the runner or Chromium we started.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Security")]
[Collection(RunnerIsolationCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class WorkDirectoryTests(RunnerIsolationEnvironment env, ITestOutputHelper output)
{
    private const UnixFileMode GroupOrOther = (UnixFileMode)0x3F;

    [Fact]
    public async Task EveryFileAndFolderARunnerCreatesIsOwnerOnly()
    {
        var (id, owner) = await env.Api.CreateReadyAsync(env.Site.TitledPage("/modes", "modes"), env.ApiKey);
        using var socket = new SessionSocket(await env.Api.ConnectAsync(id, owner));
        await env.Api.NavigateAsync(id, env.Site.Url("/download"), owner);
        await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "download" && e.GetProperty("state").GetString() == "completed",
            TimeSpan.FromSeconds(15), "a completed download");
        var runnerDir = RunnerLeftovers.RunnerDirOf(env.Orchestrator.WorkRoot, id);
        foreach (var name in new[] { "runner.json", "runner.pid", "chromium.pid", "chromium.log", "profile", "downloads", "tmp" })
        {
            Assert.True(Path.Exists(Path.Combine(runnerDir, name)), $"{name} is missing");
        }

        var open = new List<string>();
        var count = 0;
        foreach (var entry in new DirectoryInfo(env.Orchestrator.WorkRoot).EnumerateFileSystemInfos("*", new EnumerationOptions
        {
            RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false,
        }).Prepend(new DirectoryInfo(env.Orchestrator.WorkRoot)))
        {
            if (entry.LinkTarget is not null)
            {
                continue; // a symlink's own mode means nothing (Chromium's Singleton* links)
            }
            count++;
            if ((entry.UnixFileMode & GroupOrOther) != 0)
            {
                open.Add($"{Convert.ToString((int)entry.UnixFileMode, 8)} {entry.FullName}");
            }
        }
        output.WriteLine($"{count} files and folders checked");
        Assert.True(count > 20, $"only {count} entries");
        Assert.True(open.Count == 0, "readable by others:\n" + string.Join('\n', open));
    }

    [Fact]
    public async Task ASymlinkedOrForeignWorkRootOrRunnerFolderIsRefused()
    {
        var scratch = Directory.CreateTempSubdirectory("bi-workroot-").FullName;
        try
        {
            var real = Directory.CreateDirectory(Path.Combine(scratch, "real")).FullName;
            var link = Path.Combine(scratch, "link");
            File.CreateSymbolicLink(link, real);
            var refused = await Assert.ThrowsAsync<RunnerStartException>(() => Provider(link).StartAsync(Request("r-link"), CancellationToken.None));
            Assert.Contains("symlink", refused.Message);

            // Another user's directory (uid 65534, nobody): only root can make one, and these tests run as root or not at all.
            var foreign = Directory.CreateDirectory(Path.Combine(scratch, "foreign")).FullName;
            Chown(foreign, 65534);
            refused = await Assert.ThrowsAsync<RunnerStartException>(() => Provider(foreign).StartAsync(Request("r-foreign"), CancellationToken.None));
            Assert.Contains("belongs to uid 65534", refused.Message);

            // A runner folder planted in our own root: a symlink to elsewhere.
            File.CreateSymbolicLink(Path.Combine(real, "r-planted"), foreign);
            refused = await Assert.ThrowsAsync<RunnerStartException>(() => Provider(real).StartAsync(Request("r-planted"), CancellationToken.None));
            Assert.Contains("already exists", refused.Message);
            Assert.Empty(await Provider(real).ListAsync(CancellationToken.None));
            Assert.True(Directory.Exists(foreign), "the planted link's target was touched");

            // Our own root, left open to others, is tightened to 0700.
            File.SetUnixFileMode(real, (UnixFileMode)0x1FF);
            await Provider(real).ListAsync(CancellationToken.None);
            _ = await Assert.ThrowsAnyAsync<Exception>(() => Provider(real).StartAsync(Request("r-planted"), CancellationToken.None));
            Assert.Equal((UnixFileMode)0x1C0, File.GetUnixFileMode(real));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public async Task ForgedPidFilesAreNeverSignalled()
    {
        var root = Directory.CreateTempSubdirectory("bi-forged-").FullName;
        // An unrelated process that leads its own group, the worst case: a group kill would end it.
        using var bystander = Process.Start(new ProcessStartInfo("setsid", ["sleep", "600"]) { UseShellExecute = false })!;
        try
        {
            var forged = new Dictionary<string, string>
            {
                ["r-init"] = "1",
                ["r-zero"] = "0",
                ["r-minus"] = "-1",
                ["r-garbage"] = "12ab; rm -rf /",
                ["r-bystander"] = bystander.Id.ToString(),
                ["r-self"] = Environment.ProcessId.ToString(),
            };
            foreach (var (id, pid) in forged)
            {
                var dir = Directory.CreateDirectory(Path.Combine(root, id)).FullName;
                await File.WriteAllTextAsync(Path.Combine(dir, "runner.pid"), pid);
                await File.WriteAllTextAsync(Path.Combine(dir, "chromium.pid"), pid);
                File.SetLastWriteTimeUtc(Path.Combine(dir, "runner.pid"), DateTime.UtcNow.AddMinutes(-5));
            }
            // A runner.json naming the bystander: listing and stopping it must not signal it either.
            var adopted = Directory.CreateDirectory(Path.Combine(root, "r-record")).FullName;
            await File.WriteAllTextAsync(Path.Combine(adopted, "runner.json"),
                $$$"""{"Pid":{{{bystander.Id}}},"Instance":{"RunnerId":"r-record","ControlUri":"http://127.0.0.1:1/","Token":"t","Provider":"process","StartedAt":"2026-01-01T00:00:00Z","Labels":{}},"StartTicks":null}""");
            await File.WriteAllTextAsync(Path.Combine(adopted, "chromium.pid"), bystander.Id.ToString());

            var provider = Provider(root, TimeSpan.FromSeconds(1));
            Assert.Empty(await provider.ListAsync(CancellationToken.None));
            await provider.StopAsync("r-record", CancellationToken.None);
            await Task.Delay(300);

            Assert.False(bystander.HasExited, "an unrelated process was signalled");
            Assert.True(RunnerLeftovers.IsAlive(1));
            foreach (var id in forged.Keys)
            {
                Assert.False(Directory.Exists(Path.Combine(root, id)), $"{id}: the abandoned folder was not removed");
            }
        }
        finally
        {
            if (!bystander.HasExited)
            {
                bystander.Kill();
            }
            Directory.Delete(root, recursive: true);
        }
    }

    private static ProcessRunnerProvider Provider(string root, TimeSpan? startTimeout = null) => new(Options.Create(new RunnerOptions
    {
        StartTimeout = startTimeout ?? TimeSpan.FromSeconds(30),
        Process = new ProcessRunnerOptions { WorkRoot = root, RunnerPath = typeof(WorkDirectoryTests).Assembly.Location },
    }), NullLogger<ProcessRunnerProvider>.Instance);

    private static RunnerStartRequest Request(string id) => new(id, 800, 600, new Dictionary<string, string>());

    private static void Chown(string path, int uid)
    {
        using var chown = Process.Start("chown", [$"{uid}:{uid}", path])!;
        chown.WaitForExit();
        Assert.True(chown.ExitCode == 0, "chown failed: these tests need root to make another user's directory");
    }
}
