namespace BrowserIsolation.Orchestrator.Runners.Process;

/// <summary>
/// Whether a pid read back from disk is the runner or the Chromium we started, as /proc shows it now: a pid file
/// can be stale (the pid was reused) or forged, and signalling its group must never hit anyone else (or everyone: pid 1,
/// 0 or a negative number).
/// </summary>
internal static class ProcessIdentity
{
    /// <summary>The runner of <paramref name="runnerId"/>: our dll on its command line, its id in its environment, the recorded start.</summary>
    public static bool IsRunner(int pid, string runnerPath, string runnerId, long? startTicks = null) =>
        IsOwnGroupLeader(pid) &&
        (startTicks is null || StartTicks(pid) == startTicks) &&
        CommandLine(pid).Contains(Path.GetFullPath(runnerPath)) &&
        Read($"/proc/{pid}/environ").Split('\0').Contains($"Runner__Id={runnerId}");

    /// <summary>The Chromium of a work directory: it leads its group and runs on that directory's profile.</summary>
    public static bool IsChromium(int pid, string workDir) =>
        IsOwnGroupLeader(pid) && CommandLine(pid).Contains($"--user-data-dir={Path.Combine(Path.GetFullPath(workDir), "profile")}");

    /// <summary>The sound server of a work directory: ours, alive, and started on that directory's startup script.</summary>
    public static bool IsSoundServer(int pid, string workDir) =>
        pid > 1 && pid != Environment.ProcessId &&
        FileStatus.Of($"/proc/{pid}") is { Exists: true } entry && entry.Uid == FileStatus.EffectiveUid &&
        StatFields(pid) is { Length: > 19 } f && f[0] != "Z" &&
        CommandLine(pid).Contains(Path.Combine(Path.GetFullPath(workDir), "pulse", "default.pa"));

    /// <summary>Clock ticks after boot when the process started (/proc/pid/stat field 22), to tell a reused pid apart.</summary>
    public static long? StartTicks(int pid) => StatFields(pid) is { Length: > 19 } f && long.TryParse(f[19], out var ticks) ? ticks : null;

    /// <summary>Not init, not us, a live process of our user that leads its own process group (runners and Chromium start with setsid).</summary>
    private static bool IsOwnGroupLeader(int pid) =>
        pid > 1 && pid != Environment.ProcessId &&
        FileStatus.Of($"/proc/{pid}") is { Exists: true } entry && entry.Uid == FileStatus.EffectiveUid &&
        StatFields(pid) is { Length: > 19 } f && f[0] != "Z" && f[2] == pid.ToString();

    private static string[] CommandLine(int pid) => Read($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Fields after the command name: [0] state, [1] ppid, [2] pgrp, … [19] starttime.</summary>
    private static string[]? StatFields(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");
        var end = stat.LastIndexOf(')');
        return end > 0 && end + 2 < stat.Length ? stat[(end + 2)..].Split(' ') : null;
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
