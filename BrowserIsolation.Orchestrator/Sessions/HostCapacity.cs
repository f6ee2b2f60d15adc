using BrowserIsolation.Orchestrator.Apis;
using BrowserIsolation.Orchestrator.Pool;
using BrowserIsolation.Orchestrator.Runners;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Sessions;

/// <summary>
/// Whether this host can take one more runner: memory (what the pool keeps in reserve, plus one runner) and, for
/// process runners, free space in the work root. A create that would not fit is refused before anything is written,
/// so a full disk or a host short of memory never leaves a half-created session.
/// </summary>
public sealed class HostCapacity(HostMemory memory, PoolState pool, IOptions<PoolOptions> poolOptions, IOptions<RunnerOptions> runnerOptions)
{
    /// <summary>The problem to answer with, or null when a session fits (a warm runner needs no more memory).</summary>
    public IResult? Refusal()
    {
        var p = poolOptions.Value;
        if (pool.Current.Available == 0 && memory.AvailableMiB() is { } free && free - p.RunnerMemoryMiB < p.MemoryReserveMiB)
        {
            return Problems.Create(503, "insufficient_memory", "Host memory low",
                $"the host has {free} MiB free; a browser needs {p.RunnerMemoryMiB} MiB and {p.MemoryReserveMiB} MiB stay in reserve (Pool:MemoryReserveMiB)");
        }
        var r = runnerOptions.Value;
        if (!string.Equals(r.Provider, "docker", StringComparison.OrdinalIgnoreCase) && FreeDiskMiB(r.Process.WorkRoot) is { } disk &&
            disk < r.Process.MinFreeDiskMiB)
        {
            return Problems.Create(507, "insufficient_storage", "Disk full",
                $"the runners' work root {r.Process.WorkRoot} has {disk} MiB free; a browser needs {r.Process.MinFreeDiskMiB} MiB (Runner:Process:MinFreeDiskMiB)");
        }
        return null;
    }

    private static long? FreeDiskMiB(string path)
    {
        // The work root may not exist yet: its nearest existing parent is on the same file system.
        var dir = new DirectoryInfo(path);
        while (dir is { Exists: false })
        {
            dir = dir.Parent;
        }
        try
        {
            return dir is null ? null : new DriveInfo(dir.FullName).AvailableFreeSpace / (1024 * 1024);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
