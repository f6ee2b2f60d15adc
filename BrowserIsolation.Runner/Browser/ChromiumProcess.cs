using BrowserIsolation.Runner.Cdp;

namespace BrowserIsolation.Runner.Browser;

/// <summary>
/// One headless Chromium with a fresh profile, driven over <c>--remote-debugging-pipe</c> (no port another local
/// process could reach). It runs in its own process group so ending it ends every helper process it started.
/// </summary>
public sealed class ChromiumProcess : IAsyncDisposable
{
    private readonly ILogger _logger;
    private int _disposed;

    private ChromiumProcess(int pid, CdpConnection cdp, string workDir, ILogger logger)
    {
        Pid = pid;
        Cdp = cdp;
        WorkDir = workDir;
        _logger = logger;
    }

    public int Pid { get; }

    public CdpConnection Cdp { get; }

    public string WorkDir { get; }

    public string ProfileDir => System.IO.Path.Combine(WorkDir, "profile");

    public string LogPath => System.IO.Path.Combine(WorkDir, "chromium.log");

    public static async Task<ChromiumProcess> LaunchAsync(ChromiumOptions options, int width, int height, string workDir,
        IEnumerable<string> extraArgs, ILoggerFactory loggers, CancellationToken cancellationToken,
        IEnumerable<KeyValuePair<string, string>>? extraEnvironment = null)
    {
        var logger = loggers.CreateLogger<ChromiumProcess>();
        Directory.CreateDirectory(workDir);
        var profile = System.IO.Path.Combine(workDir, "profile");
        Directory.CreateDirectory(profile);
        // Chromium honours only the last --disable-features/--enable-features: every concern's list goes into one.
        var devShm = SharedMemory.Size();
        var useDevShm = SharedMemory.UseDevShm(devShm, options.MinDevShmBytes);
        logger.LogInformation("/dev/shm holds {Size} bytes: Chromium's shared memory goes to {Where}", devShm?.ToString() ?? "no", useDevShm ? "/dev/shm" : "TMPDIR");
        var args = Policy.ChromiumEgressFlags.MergeFeatureSwitches(BuildArgs(options, width, height, profile, useDevShm).Concat(extraArgs).Concat(options.ExtraArgs))
            .Append("about:blank").ToList();
        var environment = ChromiumEnvironment.For(workDir);
        foreach (var (name, value) in extraEnvironment ?? [])
        {
            environment[name] = value;
        }
        Directory.CreateDirectory(environment["TMPDIR"]);
        var child = PipeSpawn.Start(SharedMemory.Binary(options.Path), args, System.IO.Path.Combine(workDir, "chromium.log"), environment);
        // The orchestrator kills this group too if the runner itself is killed.
        await File.WriteAllTextAsync(System.IO.Path.Combine(workDir, "chromium.pid"), child.Pid.ToString(), cancellationToken);
        var cdp = new CdpConnection(child.CommandWriter, child.EventReader, loggers.CreateLogger<CdpConnection>());
        var chromium = new ChromiumProcess(child.Pid, cdp, workDir, logger);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.LaunchTimeout);
            var version = await cdp.SendAsync("Browser.getVersion", cancellationToken: timeout.Token);
            logger.LogInformation("Chromium {Version} started (pid {Pid})", version.GetProperty("product").GetString(), child.Pid);
            return chromium;
        }
        catch (Exception ex)
        {
            var log = chromium.TailLog();
            await chromium.DisposeAsync();
            throw new InvalidOperationException($"Chromium did not start: {ex.Message}. Last log lines: {log}", ex);
        }
    }

    internal static IEnumerable<string> BuildArgs(ChromiumOptions options, int width, int height, string profile, bool useDevShm)
    {
        if (!useDevShm)
        {
            yield return SharedMemory.DisableDevShmFlag;
        }
        if (options.Headless)
        {
            yield return "--headless=new";
        }
        if (options.NoSandbox ?? Environment.UserName == "root")
        {
            yield return "--no-sandbox";
        }
        yield return "--remote-debugging-pipe";
        yield return $"--user-data-dir={profile}";
        yield return $"--window-size={width},{height}";
        foreach (var flag in QuietFlags)
        {
            yield return flag;
        }
    }

    /// <summary>No first-run UI, no background traffic, no throttling of the page we stream, stable colours for the encoder.</summary>
    private static readonly string[] QuietFlags =
    [
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-default-apps", "--disable-extensions", "--disable-breakpad", "--disable-gpu",
        "--disable-quic", "--disable-pings", "--password-store=basic", "--use-mock-keychain",
        "--disable-renderer-backgrounding", "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows",
        "--disable-ipc-flooding-protection", "--force-color-profile=srgb", "--metrics-recording-only", "--disable-client-side-phishing-detection",
        "--disable-features=Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider,InterestFeedContentSuggestions,AutofillServerCommunication",
    ];

    public string TailLog(int lines = 15)
    {
        try
        {
            return string.Join(" | ", File.ReadLines(LogPath)
                .Where(l => !l.Contains("dbus", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(l))
                .TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Closes the browser, kills its process group and deletes the work directory (profile included).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        try
        {
            if (!Cdp.Closed.IsCompleted)
            {
                Cdp.Post("Browser.close");
                await Task.WhenAny(Cdp.Closed, Task.Delay(1500));
            }
        }
        catch (CdpException)
        {
            // already gone
        }
        PipeSpawn.KillGroup(Pid, PipeSpawn.SigTerm);
        for (var i = 0; i < 20 && !PipeSpawn.TryReap(Pid); i++)
        {
            await Task.Delay(50);
        }
        PipeSpawn.KillGroup(Pid, PipeSpawn.SigKill);
        PipeSpawn.TryReap(Pid);
        await Cdp.DisposeAsync();
        DeleteWorkDir(WorkDir, _logger);
    }

    internal static void DeleteWorkDir(string workDir, ILogger logger)
    {
        // Chromium's helpers may still be flushing for a moment after the kill.
        for (var attempt = 0; attempt < 10 && Directory.Exists(workDir); attempt++)
        {
            try
            {
                Directory.Delete(workDir, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogDebug(ex, "Retrying delete of {WorkDir}", workDir);
                Thread.Sleep(100);
            }
        }
    }
}
