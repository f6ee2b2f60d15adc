namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>
/// Memory this host (or the cgroup the orchestrator runs in, whichever is smaller) can still give out:
/// MemAvailable from /proc/meminfo, and the cgroup v2/v1 limit minus what is in use (less reclaimable cache).
/// </summary>
public sealed class HostMemory
{
    private const long MiB = 1024 * 1024;

    /// <summary>Free memory in MiB, or null where it cannot be read (then only MaxSessions limits the pool).</summary>
    public long? AvailableMiB()
    {
        long? available = MemAvailableMiB();
        if (CgroupHeadroomMiB() is { } cgroup)
        {
            available = available is { } host ? Math.Min(host, cgroup) : cgroup;
        }
        return available;
    }

    private static long? MemAvailableMiB()
    {
        foreach (var line in ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemAvailable:", StringComparison.Ordinal) &&
                long.TryParse(line["MemAvailable:".Length..].Replace("kB", "").Trim(), out var kb))
            {
                return kb / 1024;
            }
        }
        return null;
    }

    private static long? CgroupHeadroomMiB()
    {
        // cgroup v2
        if (ReadNumber("/sys/fs/cgroup/memory.max") is { } max && ReadNumber("/sys/fs/cgroup/memory.current") is { } current)
        {
            var inactive = StatValue("/sys/fs/cgroup/memory.stat", "inactive_file") ?? 0;
            return Math.Max(0, max - (current - inactive)) / MiB;
        }
        // cgroup v1 (an "unlimited" limit is a huge number, harmless in the Min above)
        if (ReadNumber("/sys/fs/cgroup/memory/memory.limit_in_bytes") is { } limit && limit < long.MaxValue / 2 &&
            ReadNumber("/sys/fs/cgroup/memory/memory.usage_in_bytes") is { } usage)
        {
            var inactive = StatValue("/sys/fs/cgroup/memory/memory.stat", "total_inactive_file") ?? 0;
            return Math.Max(0, limit - (usage - inactive)) / MiB;
        }
        return null;
    }

    private static long? ReadNumber(string path) =>
        ReadLines(path).FirstOrDefault() is { } text && long.TryParse(text.Trim(), out var value) ? value : null;

    private static long? StatValue(string path, string name)
    {
        foreach (var line in ReadLines(path))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && parts[0] == name && long.TryParse(parts[1], out var value))
            {
                return value;
            }
        }
        return null;
    }

    private static string[] ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
