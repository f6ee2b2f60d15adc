using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using BrowserIsolation.Orchestrator.Sessions;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Runners.Process;

/// <summary>
/// The embedded default: one BrowserIsolation.Runner process per session on this machine, each in its own
/// session/process group, with its Chromium in another. Ending a runner ends both groups and deletes its work dir.
/// A runner inherits nothing from the orchestrator (<see cref="RunnerEnvironment"/>); its files are private
/// (<see cref="PrivateWorkRoot"/>).
/// </summary>
public sealed class ProcessRunnerProvider(IOptions<RunnerOptions> options, ILogger<ProcessRunnerProvider> logger,
    RunnerPolicyEnvironment? policy = null, IConfiguration? configuration = null)
    : IRunnerProvider, IAsyncDisposable
{
    private const string ReadyMarker = "BI_RUNNER_READY ";
    private readonly ConcurrentDictionary<string, RunnerProcess> _runners = new();
    private readonly PrivateWorkRoot _root = new(options.Value.Process.WorkRoot);
    private readonly RunnerCleanup _cleanup = new(Path.GetFullPath(options.Value.Process.RunnerPath), logger);
    // Built without one (tests), the runner settings come from this process's environment.
    private readonly IConfiguration _configuration = configuration ?? new ConfigurationBuilder().AddEnvironmentVariables().Build();

    public string Name => "process";

    public event Action<RunnerExit>? RunnerExited;

    private ProcessRunnerOptions Process => options.Value.Process;

    public async Task<RunnerInstance> StartAsync(RunnerStartRequest request, CancellationToken cancellationToken)
    {
        using var activity = SessionMetrics.Activities.StartActivity("runner.start");
        activity?.SetTag("runner.id", request.RunnerId);
        activity?.SetTag("runner.provider", Name);
        if (request.Labels.TryGetValue("session", out var sessionId))
        {
            activity?.SetTag("session.id", sessionId);
        }
        if (!File.Exists(Process.RunnerPath))
        {
            throw new RunnerStartException($"runner not found at {Process.RunnerPath}; build BrowserIsolation.Orchestrator or set Runner:Process:RunnerPath");
        }
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var workDir = _root.CreateRunnerDirectory(request.RunnerId);
        var start = StartInfo(request, workDir);
        System.Diagnostics.Process process;
        try
        {
            process = System.Diagnostics.Process.Start(start) ?? throw new RunnerStartException("could not start the runner process");
        }
        catch
        {
            Directory.Delete(workDir, recursive: true);
            throw;
        }
        // Recorded at once, so a runner still starting when this orchestrator dies can be found and ended.
        await PrivateWorkRoot.WriteFileAsync(Path.Combine(workDir, "runner.pid"), process.Id.ToString());
        var runner = new RunnerProcess(request.RunnerId, process, workDir);
        _runners[request.RunnerId] = runner;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => OnExited(runner);
        _ = runner.PumpAsync(process.StandardError, logger);
        _ = runner.PumpAsync(process.StandardOutput, logger, ReadyMarker);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.StartTimeout);
        try
        {
            // The token goes over standard input, never through the environment or the command line.
            await process.StandardInput.WriteLineAsync(token.AsMemory(), timeout.Token);
            process.StandardInput.Close();
            var address = await runner.Ready.Task.WaitAsync(timeout.Token);
            var instance = new RunnerInstance(request.RunnerId, new Uri(address), token, Name, DateTimeOffset.UtcNow, request.Labels);
            runner.Instance = instance;
            await PrivateWorkRoot.WriteFileAsync(Path.Combine(workDir, "runner.json"),
                JsonSerializer.Serialize(new RunnerRecord(process.Id, instance, ProcessIdentity.StartTicks(process.Id))));
            return instance;
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException)
        {
            var tail = runner.Tail();
            await StopAsync(request.RunnerId, CancellationToken.None);
            throw new RunnerStartException(cancellationToken.IsCancellationRequested
                ? "runner start cancelled"
                : $"runner did not become ready within {options.Value.StartTimeout.TotalSeconds:0} s. Last output: {tail}", ex);
        }
    }

    /// <summary>An empty environment but for the host basics, the runner settings and the runner's own; see <see cref="RunnerEnvironment"/>.</summary>
    private ProcessStartInfo StartInfo(RunnerStartRequest request, string workDir)
    {
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { DotnetPath(), "exec", Path.GetFullPath(Process.RunnerPath), "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }
        var env = start.Environment;
        RunnerEnvironment.KeepOnlyHostBasics(env);
        foreach (var (key, value) in RunnerSettings.From(_configuration, RunnerSettings.ProcessSections))
        {
            env[key] = value;
        }
        env["Runner__Id"] = request.RunnerId;
        env["Runner__TokenSource"] = "stdin";
        env["Runner__Width"] = request.Width.ToString();
        env["Runner__Height"] = request.Height.ToString();
        env["Runner__WorkDir"] = workDir;
        env["Runner__ParentPid"] = Process.ExitWithOrchestrator ? Environment.ProcessId.ToString() : "0";
        env["Chromium__Path"] = options.Value.ChromiumPath;
        env["OTEL_SERVICE_NAME"] = "browserisolation-runner";
        policy?.ApplyTo(env);
        return start;
    }

    public async Task StopAsync(string runnerId, CancellationToken cancellationToken)
    {
        if (_runners.TryGetValue(runnerId, out var runner))
        {
            // Two stops may race (a cancelled start and shutdown): only the one that removes it disposes the Process.
            runner.Stopping = true;
            await StopProcessAsync(runner.HasExited ? 0 : runner.Pid, runner.WorkDir, () => runner.HasExited);
            if (_runners.TryRemove(new KeyValuePair<string, RunnerProcess>(runnerId, runner)))
            {
                runner.Process.Dispose();
            }
            return;
        }
        // Adopted after a restart: we only know it from its runner.json, and signal it only if /proc shows it is that runner.
        var workDir = Path.Combine(_root.Path, runnerId);
        if (PrivateWorkRoot.IsOurs(workDir) && ReadRecord(workDir) is { } record)
        {
            var pid = _cleanup.IsRunner(record.Pid, runnerId, record.StartTicks) ? record.Pid : 0;
            await StopProcessAsync(pid, workDir, () => !ProcessGroup.IsAlive(pid));
        }
    }

    /// <summary>
    /// A runner with a pid but no runner.json lost the orchestrator that was starting it (starters give up and stop
    /// their runner after the start timeout), so once that much time has passed nobody will ever track it: end it.
    /// </summary>
    private void EndAbandonedStart(string dir)
    {
        var pidFile = Path.Combine(dir, "runner.pid");
        var runnerId = Path.GetFileName(dir);
        if (_runners.ContainsKey(runnerId) || PrivateWorkRoot.ReadFile(pidFile) is not { } text ||
            DateTime.UtcNow - File.GetLastWriteTimeUtc(pidFile) < options.Value.StartTimeout + TimeSpan.FromSeconds(5))
        {
            return;
        }
        var pid = int.TryParse(text, out var p) && _cleanup.IsRunner(p, runnerId) ? p : 0;
        if (pid > 0)
        {
            logger.LogWarning("Ending runner {RunnerId} (pid {Pid}): it never became ready for any orchestrator", runnerId, pid);
        }
        else
        {
            logger.LogWarning("Removing {Dir}: its runner.pid ({Text}) names no runner of ours", dir, text.Length > 20 ? text[..20] : text);
        }
        _cleanup.KillLeftovers(pid, dir);
    }

    /// <summary>SIGTERM lets the runner close Chromium and delete its profile; what is left after 5 s is killed.</summary>
    private async Task StopProcessAsync(int pid, string workDir, Func<bool> hasExited)
    {
        ProcessGroup.Signal(pid, ProcessGroup.SigTerm);
        var deadline = Stopwatch.StartNew();
        while (pid > 1 && !hasExited() && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50, CancellationToken.None);
        }
        _cleanup.KillLeftovers(pid, workDir);
    }

    public Task<IReadOnlyList<RunnerInstance>> ListAsync(CancellationToken cancellationToken)
    {
        var alive = new List<RunnerInstance>();
        if (!Directory.Exists(_root.Path))
        {
            return Task.FromResult<IReadOnlyList<RunnerInstance>>(alive);
        }
        if (!PrivateWorkRoot.IsOurs(_root.Path))
        {
            logger.LogError("Runner:Process:WorkRoot {Root} is a symlink or belongs to another user: its runners are ignored", _root.Path);
            return Task.FromResult<IReadOnlyList<RunnerInstance>>(alive);
        }
        foreach (var dir in Directory.EnumerateDirectories(_root.Path))
        {
            if (!PrivateWorkRoot.IsOurs(dir))
            {
                logger.LogWarning("Ignoring {Dir} in the runner work root: a symlink or another user's", dir);
            }
            else if (ReadRecord(dir) is { } record && _cleanup.IsRunner(record.Pid, Path.GetFileName(dir), record.StartTicks))
            {
                alive.Add(record.Instance);
            }
            else
            {
                EndAbandonedStart(dir);
            }
        }
        return Task.FromResult<IReadOnlyList<RunnerInstance>>(alive);
    }

    private void OnExited(RunnerProcess runner)
    {
        if (runner.Stopping)
        {
            return;
        }
        var code = runner.Process.ExitCode;
        _runners.TryRemove(runner.Id, out _);
        runner.Ready.TrySetException(new InvalidOperationException($"runner exited with code {code}"));
        logger.LogWarning("Runner {RunnerId} exited unexpectedly with code {Code}", runner.Id, code);
        // Report first (the session goes to error at once), then reclaim what the runner left.
        RunnerExited?.Invoke(new RunnerExit(runner.Id, $"runner exited unexpectedly (code {code}). {runner.Tail()}".Trim()));
        _cleanup.KillLeftovers(runner.Pid, runner.WorkDir);
    }

    private string DotnetPath()
    {
        if (Process.DotnetPath is { Length: > 0 } configured)
        {
            return configured;
        }
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }

    private static RunnerRecord? ReadRecord(string workDir)
    {
        try
        {
            return PrivateWorkRoot.ReadFile(Path.Combine(workDir, "runner.json")) is { } json ? JsonSerializer.Deserialize<RunnerRecord>(json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.ExitWithOrchestrator)
        {
            return; // left running for the next orchestrator to adopt
        }
        await Task.WhenAll(_runners.Keys.Select(id => StopAsync(id, CancellationToken.None)));
    }

    /// <param name="StartTicks">the runner's start in /proc/pid/stat, so a reused pid is never taken for it.</param>
    private sealed record RunnerRecord(int Pid, RunnerInstance Instance, long? StartTicks);
}
