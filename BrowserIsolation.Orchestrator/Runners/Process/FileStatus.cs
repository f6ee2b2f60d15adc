using System.Runtime.InteropServices;

namespace BrowserIsolation.Orchestrator.Runners.Process;

/// <summary>
/// lstat through <c>statx</c> (its layout is the same on every architecture): the owner and type of a path without
/// following a symlink, which .NET does not expose.
/// </summary>
internal static unsafe partial class FileStatus
{
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, StatxBasicStats = 0x7ff, ENoEnt = 2;

    public readonly record struct Entry(bool Exists, bool IsSymlink, bool IsDirectory, uint Uid, UnixFileMode Mode);

    public static uint EffectiveUid => geteuid();

    public static Entry Of(string path)
    {
        var buffer = stackalloc byte[256];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == ENoEnt ? default : throw new IOException($"cannot stat {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        var uid = *(uint*)(buffer + 20);
        var mode = *(ushort*)(buffer + 28);
        var type = mode & 0xF000;
        return new Entry(true, type == 0xA000, type == 0x4000, uid, (UnixFileMode)(mode & 0xFFF));
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
