using System.Text.Json;

namespace BrowserIsolation.Tests.Fixtures;

/// <summary>What a runner leaves on disk (runner.json, chromium.pid): used to check cleanup and to end leftovers.</summary>
public static class RunnerLeftovers
{
    public static IReadOnlyList<string> RunnerDirs(string workRoot) =>
        Directory.Exists(workRoot) ? [.. Directory.EnumerateDirectories(workRoot)] : [];

    /// <summary>The work directory of the runner serving <paramref name="sessionId"/> (its runner.json names the session).</summary>
    public static string RunnerDirOf(string workRoot, string sessionId) => RunnerDirs(workRoot)
        .Single(d => TryRead(Path.Combine(d, "runner.json"))?.Contains(sessionId, StringComparison.Ordinal) == true);

    /// <summary>From runner.json once ready, else from runner.pid, written when the process was spawned.</summary>
    public static int? RunnerPid(string runnerDir) => TryRead(Path.Combine(runnerDir, "runner.json")) is { } json
        ? JsonDocument.Parse(json).RootElement.GetProperty("Pid").GetInt32()
        : int.TryParse(TryRead(Path.Combine(runnerDir, "runner.pid")), out var pid) ? pid : null;

    public static int? ChromiumPid(string runnerDir) =>
        int.TryParse(TryRead(Path.Combine(runnerDir, "chromium.pid")), out var pid) ? pid : null;

    public static bool IsAlive(int pid)
    {
        // A zombie still has a /proc entry; it is dead for our purposes.
        var stat = TryRead($"/proc/{pid}/stat");
        return stat is not null && stat.LastIndexOf(')') is var end and > 0 && end + 2 < stat.Length && stat[end + 2] != 'Z';
    }

    /// <summary>Kills every process group recorded under the work root (a failed test must not leak Chromium).</summary>
    public static void KillUnder(string workRoot)
    {
        foreach (var dir in RunnerDirs(workRoot))
        {
            foreach (var pid in new[] { RunnerPid(dir), ChromiumPid(dir) })
            {
                if (pid is { } p)
                {
                    System.Diagnostics.Process.Start("kill", ["-s", "KILL", "--", $"-{p}"])?.WaitForExit();
                }
            }
        }
    }

    private static string? TryRead(string path)
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
