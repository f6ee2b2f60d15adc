using System.Runtime.InteropServices;

namespace BrowserIsolation.Runner.Browser;

/// <summary>
/// umask 077 for the runner and, inherited, its Chromium: profiles, uploads, downloads, logs and pid files are the
/// service user's alone (0700 directories, 0600 files), whatever the host's umask.
/// </summary>
public static partial class FileCreationMask
{
    public static void RestrictToOwner() => _ = umask(0x3F);

    [LibraryImport("libc")]
    private static partial uint umask(uint mask);
}
