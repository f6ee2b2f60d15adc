namespace BrowserIsolation.AudioBench;

/// <summary>CPU seconds of what sound adds to a runner: its capture thread ("opus-capture") and its sound server.</summary>
internal static class SoundCpu
{
    private const double TicksPerSecond = 100; // USER_HZ

    public static double CaptureThreadSeconds(int runnerPid)
    {
        foreach (var task in Directory.EnumerateDirectories($"/proc/{runnerPid}/task"))
        {
            if (Read(Path.Combine(task, "comm"))?.Trim() == "opus-capture")
            {
                return CpuSeconds(Path.Combine(task, "stat"));
            }
        }
        return 0;
    }

    public static double SoundServerSeconds(int runnerPid) =>
        SoundServerPid(runnerPid) is var pid and > 0 ? CpuSeconds($"/proc/{pid}/stat") : 0;

    public static int SoundServerPid(int runnerPid) => Directory.EnumerateDirectories("/proc")
        .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
        .FirstOrDefault(pid => pid > 0 && Read($"/proc/{pid}/comm")?.Trim() == "pulseaudio" && ParentOf(pid) == runnerPid);

    private static int ParentOf(int pid) =>
        Read($"/proc/{pid}/stat") is { } stat && int.TryParse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], out var ppid) ? ppid : 0;

    private static double CpuSeconds(string statPath)
    {
        var stat = Read(statPath);
        if (stat is null)
        {
            return 0;
        }
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
