namespace BrowserIsolation.Runner.Browser;

/// <summary>
/// Where Chromium keeps its shared memory. /dev/shm is the right place when it is big enough (a host's is half the RAM,
/// Docker runners get 1 GiB); <c>--disable-dev-shm-usage</c> moves it to TMPDIR, which in a container is a small
/// tmpfs, so that flag is kept only where /dev/shm is missing or smaller than <c>Chromium:MinDevShmBytes</c>,
/// measured (statvfs) when Chromium starts.
/// </summary>
public static class SharedMemory
{
    public const string DisableDevShmFlag = "--disable-dev-shm-usage";

    /// <summary>Total size of the file system at <paramref name="path"/>, or null when there is none.</summary>
    public static long? Size(string path = "/dev/shm")
    {
        try
        {
            return Directory.Exists(path) ? new DriveInfo(path).TotalSize : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public static bool UseDevShm(long? devShmBytes, long minBytes) => devShmBytes is { } size && size >= minBytes;

    /// <summary>
    /// Debian's /usr/bin/chromium is a shell script that adds <c>--disable-dev-shm-usage</c> itself below 3.8 GB of
    /// /dev/shm (/etc/chromium.d/dev-shm), a flag nothing can undo: the binary behind it is started directly.
    /// </summary>
    public static string Binary(string configured)
    {
        const string debianWrapper = "/usr/bin/chromium", debianBinary = "/usr/lib/chromium/chromium";
        return configured == debianWrapper && File.Exists(debianBinary) && IsScript(configured) ? debianBinary : configured;
    }

    private static bool IsScript(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return file.ReadByte() == '#' && file.ReadByte() == '!';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
