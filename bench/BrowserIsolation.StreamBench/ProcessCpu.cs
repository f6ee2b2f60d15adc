using System.Diagnostics;
using System.Text.Json;

namespace BrowserIsolation.StreamBench;

/// <summary>CPU time of a process (or its tree) from /proc, as cores used over a window.</summary>
internal sealed class ProcessCpu(int pid, bool includeChildren, double startSeconds, long startTicks)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public static ProcessCpu Sample(int pid, bool includeChildren) => new(pid, includeChildren, Seconds(pid, includeChildren), Stopwatch.GetTimestamp());

    public double Cores() => (Seconds(pid, includeChildren) - startSeconds) / Stopwatch.GetElapsedTime(startTicks).TotalSeconds;

    private static double Seconds(int pid, bool tree)
    {
        var total = 0.0;
        foreach (var p in tree ? Tree(pid) : [pid])
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{p}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                total += (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond;
            }
            catch (Exception ex) when (ex is IOException or FormatException)
            {
                // exited
            }
        }
        return total;
    }

    private static IEnumerable<int> Tree(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText($"{dir}/stat");
                var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                (children.TryGetValue(ppid, out var list) ? list : children[ppid] = []).Add(pid);
            }
            catch (Exception ex) when (ex is IOException or FormatException)
            {
            }
        }
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out var pid))
        {
            yield return pid;
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                queue.Enqueue(child);
            }
        }
    }

    /// <summary>The Playwright-launched Chromium: the newest chromium browser process without --type.</summary>
    public static int FindBrowserPid() => Directory.EnumerateDirectories("/proc")
        .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
        .Where(pid => pid > 0 && Cmdline(pid) is { } c && c.Contains("/chromium") && c.Contains("playwright") && !c.Contains("--type="))
        .DefaultIfEmpty(0).Max();

    /// <summary>A process runner's pid, from the runner.json in its work directory (default work root).</summary>
    public static int RunnerPid(string runnerId)
    {
        var file = Path.Combine(Path.GetTempPath(), "browserisolation", runnerId, "runner.json");
        return JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("Pid").GetInt32();
    }

    private static string? Cmdline(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
