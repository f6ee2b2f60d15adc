namespace BrowserIsolation.Runner.Downloads;

/// <summary>Configuration section <c>Downloads</c>: what one session may keep on disk of downloaded files.</summary>
public sealed class DownloadQuota
{
    public const string Section = "Downloads";

    /// <summary>Downloads (finished or running) a session may have; more are cancelled.</summary>
    public int MaxFiles { get; set; } = 20;

    /// <summary>Bytes of downloads a session may keep; a download that would pass it is cancelled and deleted.</summary>
    public long MaxBytes { get; set; } = 100L * 1024 * 1024;
}
