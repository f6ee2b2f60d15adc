namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// Every process an orchestrator started, as /proc shows it: its descendants, and everything in the sessions
/// (setsid) they lead, so Chromium helpers that were re-parented still count.
/// </summary>
public sealed record ProcessEntry(int Pid, string[] CommandLine, string[] Environment)
{
    public bool IsRunner => CommandLine.Any(a => a.EndsWith("BrowserIsolation.Runner.dll", StringComparison.Ordinal));

    /// <summary>Chromium's helpers rewrite their title into one argument ("/usr/lib/chromium/chromium --type=renderer …").</summary>
    public bool IsChromium => CommandLine.Length > 0 && Path.GetFileName(CommandLine[0].Split(' ')[0]) == "chromium";

    public bool IsRenderer => IsChromium && CommandLine.Any(a => a.Contains("--type=renderer", StringComparison.Ordinal));

    public static IReadOnlyList<ProcessEntry> StartedBy(int rootPid)
    {
        var stats = new Dictionary<int, (int Ppid, int Session)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && Read($"{dir}/stat") is { } stat && stat.LastIndexOf(')') is var end and > 0)
            {
                var fields = stat[(end + 2)..].Split(' ');
                stats[pid] = (int.Parse(fields[1]), int.Parse(fields[4]));
            }
        }
        var ours = new HashSet<int> { rootPid };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, (ppid, session)) in stats)
            {
                if (!ours.Contains(pid) && (ours.Contains(ppid) || ours.Contains(session) && session != rootPid))
                {
                    grew = ours.Add(pid) || grew;
                }
            }
        }
        ours.Remove(rootPid);
        return [.. ours.Select(pid => new ProcessEntry(pid, Split(Read($"/proc/{pid}/cmdline")), Split(Read($"/proc/{pid}/environ"))))
            .Where(p => p.CommandLine.Length > 0)];
    }

    private static string[] Split(string? text) => (text ?? "").Split('\0', StringSplitOptions.RemoveEmptyEntries);

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
