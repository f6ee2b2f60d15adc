// Process runners are Linux-only (statx, /proc, setsid): Unix file modes always apply.
#pragma warning disable CA1416

namespace BrowserIsolation.Orchestrator.Runners.Process;

/// <summary>
/// Where process runners keep profiles, <c>runner.json</c> and pid files: a 0700 directory of the service user, each
/// runner's folder 0700 and every file 0600 in it. A symlink or another user's entry anywhere on that way is refused:
/// in a shared /tmp another local user could plant one to read a runner's token or to have us signal their pids.
/// </summary>
internal sealed class PrivateWorkRoot(string root)
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther = (UnixFileMode)0x3F;

    public string Path { get; } = System.IO.Path.GetFullPath(root);

    /// <summary>Creates the root (0700) if needed; refuses one that is a symlink or not ours, and tightens ours if it is open to others.</summary>
    public void Ensure()
    {
        var entry = FileStatus.Of(Path);
        if (!entry.Exists)
        {
            Directory.CreateDirectory(Path, OwnerOnlyDirectory);
            entry = FileStatus.Of(Path);
        }
        Refuse(Path, entry, directory: true);
        if ((entry.Mode & GroupOrOther) != 0)
        {
            File.SetUnixFileMode(Path, OwnerOnlyDirectory);
        }
    }

    /// <summary>A fresh 0700 folder for one runner; one that is already there (left over, or planted) is refused.</summary>
    public string CreateRunnerDirectory(string runnerId)
    {
        if (runnerId.Length == 0 || runnerId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || runnerId.Trim('.').Length == 0)
        {
            throw new RunnerStartException($"runner id '{runnerId}' cannot name a work directory");
        }
        Ensure();
        var dir = System.IO.Path.Combine(Path, runnerId);
        if (FileStatus.Of(dir).Exists)
        {
            throw new RunnerStartException($"work directory {dir} already exists; refusing to reuse it");
        }
        Directory.CreateDirectory(dir, OwnerOnlyDirectory);
        Refuse(dir, FileStatus.Of(dir), directory: true);
        return dir;
    }

    /// <summary>A runner folder under the root that we may read and act on: a real directory of ours.</summary>
    public static bool IsOurs(string path) => FileStatus.Of(path) is { Exists: true, IsSymlink: false, IsDirectory: true } entry &&
        entry.Uid == FileStatus.EffectiveUid;

    /// <summary>Writes a 0600 file, replacing one of ours; a symlink or another user's file in its place is refused.</summary>
    public static async Task WriteFileAsync(string path, string content)
    {
        var entry = FileStatus.Of(path);
        if (entry.Exists)
        {
            Refuse(path, entry, directory: false);
        }
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile };
        await using (var stream = new FileStream(path, options))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(content);
        }
        File.SetUnixFileMode(path, OwnerOnlyFile);
    }

    /// <summary>The file's text, or null when it is missing, a symlink or not ours (never trusted then).</summary>
    public static string? ReadFile(string path)
    {
        try
        {
            return FileStatus.Of(path) is { Exists: true, IsSymlink: false, IsDirectory: false } entry && entry.Uid == FileStatus.EffectiveUid
                ? File.ReadAllText(path).Trim()
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Refuse(string path, FileStatus.Entry entry, bool directory)
    {
        if (entry.IsSymlink)
        {
            throw new RunnerStartException($"{path} is a symlink; runner work directories must be real directories (set Runner:Process:WorkRoot)");
        }
        if (entry.Uid != FileStatus.EffectiveUid)
        {
            throw new RunnerStartException($"{path} belongs to uid {entry.Uid}, not to this service (uid {FileStatus.EffectiveUid}); set Runner:Process:WorkRoot to a private directory");
        }
        if (directory != entry.IsDirectory)
        {
            throw new RunnerStartException($"{path} is not a {(directory ? "directory" : "regular file")}");
        }
    }
}
