namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>Configuration section <c>Runner</c>: which backend starts runners, and what every runner gets.</summary>
public sealed class RunnerOptions
{
    public const string Section = "Runner";

    /// <summary><c>process</c> (the embedded default) or <c>docker</c>.</summary>
    public string Provider { get; set; } = "process";

    /// <summary>Chromium inside process runners.</summary>
    public string ChromiumPath { get; set; } = "/usr/bin/chromium";

    /// <summary>How long a runner may take to answer /health.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public ProcessRunnerOptions Process { get; set; } = new();

    /// <summary>How long a clean stop may spend ending the runners only this orchestrator can use.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public RunnerStartBreakerOptions StartBreaker { get; set; } = new();
}

public sealed class ProcessRunnerOptions
{
    /// <summary>BrowserIsolation.Runner.dll; by default the copy the build puts beside the orchestrator.</summary>
    public string RunnerPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "runner", "BrowserIsolation.Runner.dll");

    /// <summary>The dotnet host that runs it; by default the one running the orchestrator.</summary>
    public string? DotnetPath { get; set; }

    /// <summary>Each runner's work directory (profile, downloads, logs) goes below this.</summary>
    public string WorkRoot { get; set; } = Path.Combine(Path.GetTempPath(), "browserisolation");

    /// <summary>Free space the work root must have for a new session (profile, cache, downloads).</summary>
    public int MinFreeDiskMiB { get; set; } = 256;

    /// <summary>
    /// Runners end when this orchestrator's process ends. Turn off with a shared store, so that a restarted
    /// orchestrator can adopt its runners instead.
    /// </summary>
    public bool ExitWithOrchestrator { get; set; } = true;
}
