using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BrowserIsolation.Runner.Cdp;

/// <summary>
/// Starts a process in its own session (so the whole tree can be killed as one group) with two extra pipes on
/// fds 3 and 4, as Chromium's <c>--remote-debugging-pipe</c> expects. System.Diagnostics.Process can do neither.
/// </summary>
internal static unsafe partial class PipeSpawn
{
    private const int OCloexec = 0x80000;
    private const int ORdOnly = 0, OWrOnly = 1, OCreat = 0x40, OTrunc = 0x200;
    private const short PosixSpawnSetSigDef = 0x04, PosixSpawnSetSigMask = 0x08, PosixSpawnSetSid = 0x80;

    /// <summary>A spawned child: its pid (also its process-group id) and our ends of the CDP pipes.</summary>
    public sealed record Child(int Pid, SafeFileHandle CommandWriter, SafeFileHandle EventReader);

    public static Child Start(string file, IReadOnlyList<string> args, string logPath, IReadOnlyDictionary<string, string> environment)
    {
        int* toChild = stackalloc int[2];
        int* fromChild = stackalloc int[2];
        Check(pipe2(toChild, OCloexec), "pipe2");
        Check(pipe2(fromChild, OCloexec), "pipe2");

        // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336: over-allocate.
        var actions = NativeMemory.AllocZeroed(512);
        var attr = NativeMemory.AllocZeroed(1024);
        var sigset = NativeMemory.AllocZeroed(256);
        var strings = new List<nint>();
        try
        {
            Check(posix_spawn_file_actions_init(actions), "file_actions_init");
            Check(posix_spawn_file_actions_addopen(actions, 0, "/dev/null", ORdOnly, 0), "addopen stdin");
            Check(posix_spawn_file_actions_addopen(actions, 1, logPath, OWrOnly | OCreat | OTrunc, 0x180), "addopen stdout");
            Check(posix_spawn_file_actions_adddup2(actions, 1, 2), "dup2 stderr");
            Check(posix_spawn_file_actions_adddup2(actions, toChild[0], 3), "dup2 3");
            Check(posix_spawn_file_actions_adddup2(actions, fromChild[1], 4), "dup2 4");

            Check(posix_spawnattr_init(attr), "spawnattr_init");
            Check(posix_spawnattr_setflags(attr, (short)(PosixSpawnSetSid | PosixSpawnSetSigMask | PosixSpawnSetSigDef)), "setflags");
            sigemptyset(sigset);
            Check(posix_spawnattr_setsigmask(attr, sigset), "setsigmask");
            sigfillset(sigset);
            Check(posix_spawnattr_setsigdefault(attr, sigset), "setsigdefault");

            var argv = ToNative([file, .. args], strings);
            // Exactly this environment: nothing of ours is inherited (see ChromiumEnvironment).
            var envp = ToNative([.. environment.Select(e => $"{e.Key}={e.Value}")], strings);
            int pid;
            var rc = posix_spawnp(&pid, file, actions, attr, argv, envp);
            if (rc != 0)
            {
                throw new InvalidOperationException($"posix_spawnp({file}) failed: {Marshal.GetPInvokeErrorMessage(rc)}");
            }
            return new Child(pid, new SafeFileHandle(toChild[1], ownsHandle: true), new SafeFileHandle(fromChild[0], ownsHandle: true));
        }
        catch
        {
            close(toChild[1]);
            close(fromChild[0]);
            throw;
        }
        finally
        {
            // The child has its own copies; ours would keep the pipes open after it dies.
            close(toChild[0]);
            close(fromChild[1]);
            posix_spawn_file_actions_destroy(actions);
            posix_spawnattr_destroy(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            NativeMemory.Free(sigset);
            foreach (var s in strings)
            {
                Marshal.FreeCoTaskMem(s);
            }
        }
    }

    /// <summary>Signals every process in the group; ESRCH (already gone) is not an error.</summary>
    public static void KillGroup(int pgid, int signal) => _ = kill(-pgid, signal);

    public static bool IsAlive(int pid) => kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM */;

    /// <summary>Reaps the child if it has exited; true when it is gone.</summary>
    public static bool TryReap(int pid)
    {
        int status;
        var rc = waitpid(pid, &status, 1 /* WNOHANG */);
        return rc == pid || (rc == -1 && Marshal.GetLastPInvokeError() == 10 /* ECHILD */);
    }

    public const int SigTerm = 15, SigKill = 9;

    private static byte** ToNative(IReadOnlyList<string> values, List<nint> owned)
    {
        var array = (byte**)Marshal.AllocCoTaskMem((values.Count + 1) * sizeof(nint));
        owned.Add((nint)array);
        for (var i = 0; i < values.Count; i++)
        {
            var s = Marshal.StringToCoTaskMemUTF8(values[i]);
            owned.Add(s);
            array[i] = (byte*)s;
        }
        array[values.Count] = null;
        return array;
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            var errno = rc == -1 ? Marshal.GetLastPInvokeError() : rc;
            throw new InvalidOperationException($"{what} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    [LibraryImport("libc", SetLastError = true)] private static partial int pipe2(int* fds, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial int kill(int pid, int sig);
    [LibraryImport("libc", SetLastError = true)] private static partial int waitpid(int pid, int* status, int options);
    [LibraryImport("libc")] private static partial int sigemptyset(void* set);
    [LibraryImport("libc")] private static partial int sigfillset(void* set);
    [LibraryImport("libc")] private static partial int posix_spawn_file_actions_init(void* actions);
    [LibraryImport("libc")] private static partial int posix_spawn_file_actions_destroy(void* actions);
    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)] private static partial int posix_spawn_file_actions_addopen(void* actions, int fd, string path, int flags, uint mode);
    [LibraryImport("libc")] private static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newFd);
    [LibraryImport("libc")] private static partial int posix_spawnattr_init(void* attr);
    [LibraryImport("libc")] private static partial int posix_spawnattr_destroy(void* attr);
    [LibraryImport("libc")] private static partial int posix_spawnattr_setflags(void* attr, short flags);
    [LibraryImport("libc")] private static partial int posix_spawnattr_setsigmask(void* attr, void* set);
    [LibraryImport("libc")] private static partial int posix_spawnattr_setsigdefault(void* attr, void* set);
    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)] private static partial int posix_spawnp(int* pid, string file, void* actions, void* attr, byte** argv, byte** envp);
}
