namespace BrowserIsolation.Runner;

/// <summary>Configuration section <c>Runner</c>: how the orchestrator set this runner up.</summary>
public sealed class RunnerOptions
{
    public const string Section = "Runner";

    /// <summary>Id given by the orchestrator (labels, logs, work directory).</summary>
    public string Id { get; set; } = $"runner-{Environment.ProcessId}";

    /// <summary>Bearer secret required on every endpoint but /alive. Empty means none (development only).</summary>
    public string Token { get; set; } = "";

    public int Width { get; set; } = 1280;

    public int Height { get; set; } = 720;

    /// <summary>Holds the profile, downloads and the Chromium log; deleted when the runner ends.</summary>
    public string WorkDir { get; set; } = "";

    /// <summary>When set, the runner ends itself once this process is gone (process runners).</summary>
    public int ParentPid { get; set; }

    /// <summary>Largest client WebSocket text message accepted.</summary>
    public int MaxClientMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Input events accepted per client per second (token bucket; bursts of twice that).</summary>
    public int MaxInputEventsPerSecond { get; set; } = 400;

    /// <summary>
    /// Messages of any type accepted per client connection per second (bursts of twice that); control, viewport,
    /// paste and frames messages count 10. Excess messages get a <c>rate_limited</c> error.
    /// </summary>
    public int MaxClientMessagesPerSecond { get; set; } = 400;

    /// <summary>A client over its message rate for this long without slowing down is disconnected (close reason <c>rate_limited</c>).</summary>
    public TimeSpan ClientFloodDisconnect { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Tabs a session may have open; more (control API or popups) are refused.</summary>
    public int MaxTabs { get; set; } = 20;

    public string ResolveWorkDir() => string.IsNullOrWhiteSpace(WorkDir)
        ? Path.Combine(Path.GetTempPath(), "browserisolation", Id)
        : WorkDir;
}

/// <summary>Configuration section <c>Chromium</c>.</summary>
public sealed class ChromiumOptions
{
    public const string Section = "Chromium";

    public string Path { get; set; } = "/usr/bin/chromium";

    public bool Headless { get; set; } = true;

    /// <summary>Chromium refuses to sandbox as root; containers run as a user with a seccomp profile instead.</summary>
    public bool? NoSandbox { get; set; }

    public string[] ExtraArgs { get; set; } = [];

    /// <summary>JPEG quality of the screencast (1-100).</summary>
    public int ScreencastQuality { get; set; } = 70;

    public TimeSpan LaunchTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Below this much /dev/shm, Chromium keeps its shared memory in TMPDIR instead (<see cref="Browser.SharedMemory"/>).</summary>
    public long MinDevShmBytes { get; set; } = 512L * 1024 * 1024;
}
