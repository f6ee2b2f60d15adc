namespace BrowserIsolation.SoakBench;

/// <summary>What an orchestrator holds at one moment: its descendant processes, open files, memory and work folders.</summary>
internal sealed record HostSample(TimeSpan At, int Processes, int FileDescriptors, long RssKiB, int WorkFolders)
{
    public static HostSample Take(TimeSpan at, int orchestratorPid, string workRoot) => new(at,
        Descendants(orchestratorPid).Count, Directory.GetFiles($"/proc/{orchestratorPid}/fd").Length, ReadRssKiB(orchestratorPid),
        Directory.Exists(workRoot) ? Directory.GetDirectories(workRoot).Length : 0);

    /// <summary>Runners and their Chromium processes: everything below the orchestrator, by parent pid.</summary>
    private static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && Read($"{dir}/stat") is { } stat)
            {
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
            }
        }
        return [.. parents.Keys.Where(pid => IsBelow(pid, root, parents))];
    }

    private static bool IsBelow(int pid, int root, Dictionary<int, int> parents)
    {
        for (var p = pid; parents.TryGetValue(p, out var parent) && parent > 1; p = parent)
        {
            if (parent == root)
            {
                return true;
            }
        }
        return false;
    }

    private static long ReadRssKiB(int pid) => Read($"/proc/{pid}/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)) is { } line
        ? long.Parse(line[6..].Replace("kB", "").Trim())
        : 0;

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
