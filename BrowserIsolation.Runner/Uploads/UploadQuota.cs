namespace BrowserIsolation.Runner.Uploads;

/// <summary>Configuration section <c>Uploads</c>: what one session may hold on disk of files uploaded into its pages.</summary>
public sealed class UploadQuota
{
    public const string Section = "Uploads";

    /// <summary>Uploaded files the session holds at once.</summary>
    public int MaxFiles { get; set; } = 20;

    /// <summary>Bytes of uploaded files the session holds at once (a container's /tmp is a 256 MiB tmpfs).</summary>
    public long MaxBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Longest an upload is kept once handed to a page that has not moved on (fetch/XHR uploads read it late).</summary>
    public TimeSpan RetainFor { get; set; } = TimeSpan.FromMinutes(30);
}
