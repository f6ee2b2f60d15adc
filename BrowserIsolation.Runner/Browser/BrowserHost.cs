using BrowserIsolation.Runner.Capture;
using BrowserIsolation.Runner.Input;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Browser;

/// <summary>
/// Owns this runner's Chromium: launches it while the web server starts, wires tabs, capture and input to it,
/// and ends the runner if Chromium dies (the orchestrator then marks the session as failed).
/// </summary>
public sealed class BrowserHost(
    IOptions<RunnerOptions> runnerOptions,
    IOptions<ChromiumOptions> chromiumOptions,
    FrameHub frames,
    IEnumerable<IChromiumArgsSource> argSources,
    IEnumerable<IBrowserConcern> concerns,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger = loggers.CreateLogger<BrowserHost>();
    private readonly CancellationTokenSource _stopping = new();
    private ChromiumProcess? _chromium;
    private TabManager? _tabs;
    private Screencast? _screencast;
    private TabCrashRecovery? _crashRecovery;
    private InputDispatcher? _input;

    /// <summary>Completes when Chromium is connected and the first tab streams; faults if the launch fails.</summary>
    public Task Ready => _ready.Task;

    public bool IsReady => _ready.Task.IsCompletedSuccessfully && _chromium is { Cdp.Closed.IsCompleted: false };

    public ChromiumProcess Chromium => _chromium ?? throw NotReady();

    public TabManager Tabs => _tabs ?? throw NotReady();

    public Screencast Screencast => _screencast ?? throw NotReady();

    public TabCrashRecovery CrashRecovery => _crashRecovery ?? throw NotReady();

    public InputDispatcher Input => _input ?? throw NotReady();

    private static InvalidOperationException NotReady() => new("the browser is not ready yet");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(LaunchAsync, CancellationToken.None);
        var parentPid = runnerOptions.Value.ParentPid;
        if (parentPid > 0)
        {
            _ = Task.Run(() => WatchParentAsync(parentPid), CancellationToken.None);
        }
        return Task.CompletedTask;
    }

    private async Task LaunchAsync()
    {
        var options = runnerOptions.Value;
        try
        {
            var extraArgs = argSources.SelectMany(s => s.GetArgs()).ToList();
            var extraEnvironment = argSources.SelectMany(s => s.GetEnvironment()).ToList();
            _chromium = await ChromiumProcess.LaunchAsync(chromiumOptions.Value, options.Width, options.Height,
                options.ResolveWorkDir(), extraArgs, loggers, _stopping.Token, extraEnvironment);
            if (_stopping.IsCancellationRequested)
            {
                await _chromium.DisposeAsync();
                return;
            }
            _tabs = new TabManager(_chromium.Cdp, loggers.CreateLogger<TabManager>());
            _screencast = new Screencast(_chromium.Cdp, _tabs, frames, chromiumOptions.Value, loggers.CreateLogger<Screencast>());
            _screencast.Attach();
            _crashRecovery = new TabCrashRecovery(_chromium.Cdp, _tabs, _screencast, loggers.CreateLogger<TabCrashRecovery>());
            _crashRecovery.Attach();
            _input = new InputDispatcher(_chromium.Cdp, _tabs);
            // Before the first tab is touched: policy enforcement must see the very first request.
            foreach (var concern in concerns)
            {
                await concern.AttachAsync(_chromium, _tabs, _stopping.Token);
            }
            await _tabs.StartAsync(options.Width, options.Height, _stopping.Token);
            _ = _tabs.WatchTitlesAsync(_stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            _ = _chromium.Cdp.Closed.ContinueWith(_ => OnChromiumClosed(), TaskScheduler.Default);
            _ready.TrySetResult();
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Chromium failed to start");
            _ready.TrySetException(ex);
            Environment.ExitCode = 3;
            lifetime.StopApplication();
        }
    }

    private void OnChromiumClosed()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        _logger.LogError("Chromium exited unexpectedly. Last log lines: {Log}", _chromium?.TailLog());
        Environment.ExitCode = 4;
        lifetime.StopApplication();
    }

    private async Task WatchParentAsync(int parentPid)
    {
        while (!_stopping.IsCancellationRequested)
        {
            await Task.Delay(1000);
            if (!Cdp.PipeSpawn.IsAlive(parentPid))
            {
                _logger.LogWarning("Orchestrator process {Pid} is gone; ending this runner", parentPid);
                lifetime.StopApplication();
                return;
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        _stopping.Cancel();
        _tabs?.BeginClose();
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }
        else
        {
            ChromiumProcess.DeleteWorkDir(runnerOptions.Value.ResolveWorkDir(), _logger);
        }
    }
}

/// <summary>Adds Chromium flags from another concern (the egress guard's proxy, for one). Called once, just before launch.</summary>
public interface IChromiumArgsSource
{
    IEnumerable<string> GetArgs();

    /// <summary>Variables added to Chromium's minimal environment (the sound server's address, for one).</summary>
    IEnumerable<KeyValuePair<string, string>> GetEnvironment() => [];
}

/// <summary>
/// Something that drives Chromium alongside the tabs (policy enforcement, downloads). Attached once Chromium is connected
/// and before the first tab is started, so it sees everything from the first request on.
/// </summary>
public interface IBrowserConcern
{
    Task AttachAsync(ChromiumProcess chromium, TabManager tabs, CancellationToken cancellationToken);
}
