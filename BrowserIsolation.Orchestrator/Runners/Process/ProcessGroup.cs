using System.Runtime.InteropServices;

namespace BrowserIsolation.Orchestrator.Runners.Process;

/// <summary>Process-group signals: a runner and its Chromium each lead their own group (setsid).</summary>
internal static partial class ProcessGroup
{
    public const int SigTerm = 15, SigKill = 9;

    /// <summary>Never pid 0, 1 or below: kill(0), kill(-1) and kill(1) would reach our own group, every process, or init.</summary>
    public static void Signal(int pid, int signal)
    {
        if (pid > 1)
        {
            _ = kill(pid, signal);
        }
    }

    public static void SignalGroup(int pgid, int signal)
    {
        if (pgid > 1)
        {
            _ = kill(-pgid, signal);
        }
    }

    /// <summary>A zombie (dead, not yet reaped: its parent died and init does not reap, as in some sandboxes) is dead.</summary>
    public static bool IsAlive(int pid) => pid > 0 && (kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM */) && !IsZombie(pid);

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var end = stat.LastIndexOf(')');
            return end > 0 && end + 2 < stat.Length && stat[end + 2] == 'Z';
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
