using System.Diagnostics;
using BrowserIsolation.Runner.Browser;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Audio;

/// <summary>
/// This runner's own PulseAudio: one null sink that Chromium plays into and the runner records from its monitor.
/// Its socket, config and runtime files live in the runner's private work directory (nothing is shared between
/// sessions); it starts alongside Chromium and is ended with the runner. Without it Chromium runs muted.
/// </summary>
public sealed class SoundServer(IOptions<AudioOptions> options, IOptions<RunnerOptions> runner, ILogger<SoundServer> logger)
    : IHostedService, IChromiumArgsSource, IDisposable
{
    public const string SinkName = "browser";
    public const string MonitorSource = SinkName + ".monitor";

    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly AudioOptions _options = options.Value;
    private readonly string _directory = Path.Combine(runner.Value.ResolveWorkDir(), "pulse");
    private readonly Queue<string> _log = new();
    // Looked up once: a missing binary would otherwise be searched for on PATH at every availability check.
    private readonly Lazy<string?> _binary = new(() => options.Value.Enabled ? FindBinary(options.Value.SoundServerPath) : null);
    private Process? _process;
    private int _stopped;

    /// <summary>Whether this runner captures sound at all (enabled and the sound server binary exists).</summary>
    public bool IsConfigured => _binary.Value is not null;

    /// <summary>Configured, and not known to have failed (it may still be starting).</summary>
    public bool IsAvailable => IsConfigured && !(_ready.Task.IsCompleted && !_ready.Task.Result);

    /// <summary>True once the socket answers; false when sound is off or the server failed to start.</summary>
    public Task<bool> Ready => _ready.Task;

    public string SocketPath => Path.Combine(_directory, "native");

    /// <summary>What libpulse clients (Chromium, the capture) connect to.</summary>
    public string ServerAddress => "unix:" + SocketPath;

    public IEnumerable<string> GetArgs() => IsConfigured
        // The viewer decides whether to listen; the page may play without a gesture, as on a desktop with speakers.
        ? ["--autoplay-policy=no-user-gesture-required"]
        : ["--mute-audio"];

    public IEnumerable<KeyValuePair<string, string>> GetEnvironment() =>
        IsConfigured ? [new("PULSE_SERVER", ServerAddress)] : [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!IsConfigured)
        {
            if (_options.Enabled)
            {
                logger.LogWarning("No sound: {Binary} was not found (install pulseaudio or set Audio:Enabled=false)", _options.SoundServerPath);
            }
            _ready.TrySetResult(false);
            return Task.CompletedTask;
        }
        _ = Task.Run(StartServerAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StartServerAsync()
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            Directory.CreateDirectory(_directory); // 0700: the runner's umask (FileCreationMask)
            var config = Path.Combine(_directory, "config", "pulse");
            Directory.CreateDirectory(config);
            await File.WriteAllTextAsync(Path.Combine(config, "daemon.conf"), DaemonConfig);
            var script = Path.Combine(_directory, "default.pa");
            await File.WriteAllTextAsync(script, StartupScript(SocketPath));
            var start = new ProcessStartInfo(_binary.Value!)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])["-n", "-F", script, "--daemonize=no", "--use-pid-file=no", "--exit-idle-time=-1",
                         "--disallow-exit", "--disallow-module-loading", "--disable-shm=yes", "--high-priority=no", "--realtime=no",
                         "--log-target=stderr", "--log-level=notice"])
            {
                start.ArgumentList.Add(arg);
            }
            // Exactly this environment: nothing of the runner's (its token) reaches the sound server.
            start.Environment.Clear();
            start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
            start.Environment["HOME"] = _directory;
            start.Environment["XDG_CONFIG_HOME"] = Path.Combine(_directory, "config");
            start.Environment["XDG_RUNTIME_DIR"] = _directory;
            start.Environment["PULSE_RUNTIME_PATH"] = Path.Combine(_directory, "run");
            start.Environment["PULSE_STATE_PATH"] = Path.Combine(_directory, "state");
            var process = Process.Start(start) ?? throw new InvalidOperationException("the sound server did not start");
            _process = process;
            await File.WriteAllTextAsync(Path.Combine(_directory, "pulseaudio.pid"), process.Id.ToString());
            process.ErrorDataReceived += (_, e) => Remember(e.Data);
            process.OutputDataReceived += (_, e) => Remember(e.Data);
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            if (Volatile.Read(ref _stopped) != 0)
            {
                Kill();
                _ready.TrySetResult(false);
                return;
            }
            var deadline = Stopwatch.GetTimestamp() + (long)(_options.StartTimeout.TotalSeconds * Stopwatch.Frequency);
            while (!File.Exists(SocketPath))
            {
                if (process.HasExited || Stopwatch.GetTimestamp() > deadline)
                {
                    throw new InvalidOperationException(process.HasExited
                        ? $"it exited with code {process.ExitCode}: {Tail()}"
                        : $"no socket after {_options.StartTimeout.TotalSeconds:F0} s: {Tail()}");
                }
                await Task.Delay(10);
            }
            // The server makes its socket world-writable; the folder is 0700 already, the socket needs no more.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            logger.LogInformation("Sound server started (pid {Pid}) in {Ms:F0} ms", process.Id, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) =>
            {
                if (Volatile.Read(ref _stopped) == 0)
                {
                    logger.LogWarning("Sound server exited unexpectedly (code {Code}): {Log}", process.ExitCode, Tail());
                }
            };
            _ready.TrySetResult(true);
        }
        catch (Exception ex)
        {
            logger.LogWarning("No sound: the sound server failed to start: {Reason}", ex.Message);
            Kill();
            _ready.TrySetResult(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            Kill();
            _ready.TrySetResult(false);
        }
    }

    private void Kill()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(2000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // already gone
        }
        process.Dispose();
    }

    private void Remember(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }
        logger.LogDebug("pulseaudio: {Line}", line);
        lock (_log)
        {
            _log.Enqueue(line);
            while (_log.Count > 10)
            {
                _log.Dequeue();
            }
        }
    }

    private string Tail()
    {
        lock (_log)
        {
            return string.Join(" | ", _log);
        }
    }

    private static string? FindBinary(string name)
    {
        if (name.Contains('/'))
        {
            return File.Exists(name) ? name : null;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    // 48 kHz throughout, so nothing is resampled between Chromium, the sink and Opus.
    private const string DaemonConfig = """
        default-sample-format = s16le
        default-sample-rate = 48000
        alternate-sample-rate = 48000
        default-sample-channels = 2
        flat-volumes = no
        enable-shm = no
        """;

    private static string StartupScript(string socket) => $"""
        load-module module-null-sink sink_name={SinkName} rate=48000 channels=2 sink_properties=device.description=BrowserIsolation
        set-default-sink {SinkName}
        load-module module-native-protocol-unix socket={socket} auth-anonymous=1
        """ + "\n";
}
