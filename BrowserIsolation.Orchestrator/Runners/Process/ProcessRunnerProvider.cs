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
/// </summary>
public sealed class ProcessRunnerProvider(IOptions<RunnerOptions> options, ILogger<ProcessRunnerProvider> logger,
    RunnerPolicyEnvironment? policy = null)
    : IRunnerProvider, IAsyncDisposable
{
    private const string ReadyMarker = "BI_RUNNER_READY ";
    private readonly ConcurrentDictionary<string, RunnerProcess> _runners = new();

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
        var workDir = Path.Combine(Process.WorkRoot, request.RunnerId);
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { DotnetPath(), "exec", Process.RunnerPath, "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["Runner__Id"] = request.RunnerId;
        start.Environment["Runner__Token"] = token;
        start.Environment["Runner__Width"] = request.Width.ToString();
        start.Environment["Runner__Height"] = request.Height.ToString();
        start.Environment["Runner__WorkDir"] = workDir;
        start.Environment["Runner__ParentPid"] = Process.ExitWithOrchestrator ? Environment.ProcessId.ToString() : "0";
        start.Environment["Chromium__Path"] = options.Value.ChromiumPath;
        start.Environment["OTEL_SERVICE_NAME"] = "browserisolation-runner";
        policy?.ApplyTo(start.Environment);
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("PORT");

        var process = System.Diagnostics.Process.Start(start) ?? throw new RunnerStartException("could not start the runner process");
        // Recorded at once, so a runner still starting when this orchestrator dies can be found and ended.
        Directory.CreateDirectory(workDir);
        await File.WriteAllTextAsync(Path.Combine(workDir, "runner.pid"), process.Id.ToString(), CancellationToken.None);
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
            var address = await runner.Ready.Task.WaitAsync(timeout.Token);
            var instance = new RunnerInstance(request.RunnerId, new Uri(address), token, Name, DateTimeOffset.UtcNow, request.Labels);
            runner.Instance = instance;
            await File.WriteAllTextAsync(Path.Combine(workDir, "runner.json"),
                JsonSerializer.Serialize(new RunnerRecord(process.Id, instance)), CancellationToken.None);
            return instance;
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            var tail = runner.Tail();
            await StopAsync(request.RunnerId, CancellationToken.None);
            throw new RunnerStartException(cancellationToken.IsCancellationRequested
                ? "runner start cancelled"
                : $"runner did not become ready within {options.Value.StartTimeout.TotalSeconds:0} s. Last output: {tail}", ex);
        }
    }

    public async Task StopAsync(string runnerId, CancellationToken cancellationToken)
    {
        if (_runners.TryGetValue(runnerId, out var runner))
        {
            // Two stops may race (a cancelled start and shutdown): only the one that removes it disposes the Process.
            runner.Stopping = true;
            await StopProcessAsync(runner.Pid, runner.WorkDir, () => runner.HasExited, cancellationToken);
            if (_runners.TryRemove(new KeyValuePair<string, RunnerProcess>(runnerId, runner)))
            {
                runner.Process.Dispose();
            }
            return;
        }
        // Adopted after a restart: we only know it from its runner.json.
        var workDir = Path.Combine(Process.WorkRoot, runnerId);
        if (ReadRecord(workDir) is { } record)
        {
            await StopProcessAsync(record.Pid, workDir, () => !ProcessGroup.IsAlive(record.Pid), cancellationToken);
        }
    }

    /// <summary>
    /// A runner with a pid but no runner.json lost the orchestrator that was starting it (starters give up and stop
    /// their runner after the start timeout), so once that much time has passed nobody will ever track it: end it.
    /// </summary>
    private void EndAbandonedStart(string dir)
    {
        var pidFile = Path.Combine(dir, "runner.pid");
        if (_runners.ContainsKey(Path.GetFileName(dir)) || !int.TryParse(TryRead(pidFile), out var pid) ||
            DateTime.UtcNow - File.GetLastWriteTimeUtc(pidFile) < options.Value.StartTimeout + TimeSpan.FromSeconds(5))
        {
            return;
        }
        logger.LogWarning("Ending runner {RunnerId} (pid {Pid}): it never became ready for any orchestrator", Path.GetFileName(dir), pid);
        KillLeftovers(pid, dir);
    }

    /// <summary>SIGTERM lets the runner close Chromium and delete its profile; what is left after 5 s is killed.</summary>
    private async Task StopProcessAsync(int pid, string workDir, Func<bool> hasExited, CancellationToken cancellationToken)
    {
        ProcessGroup.Signal(pid, ProcessGroup.SigTerm);
        var deadline = Stopwatch.StartNew();
        while (!hasExited() && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50, CancellationToken.None);
        }
        KillLeftovers(pid, workDir);
    }

    private void KillLeftovers(int pid, string workDir)
    {
        ProcessGroup.SignalGroup(pid, ProcessGroup.SigKill);
        var chromiumPid = int.TryParse(TryRead(Path.Combine(workDir, "chromium.pid")), out var c) ? c : 0;
        if (chromiumPid > 0)
        {
            ProcessGroup.SignalGroup(chromiumPid, ProcessGroup.SigKill);
        }
        // A Chromium that outlives its runner writes its profile on the way out: delete only once it is gone,
        // and once more if a late write brought the directory back.
        for (var wait = 0; wait < 40 && (ProcessGroup.IsAlive(pid) || ProcessGroup.IsAlive(chromiumPid)); wait++)
        {
            Thread.Sleep(50);
        }
        for (var attempt = 0; attempt < 2; attempt++)
        {
            DeleteWorkDir(workDir);
            Thread.Sleep(200);
        }
    }

    private void DeleteWorkDir(string workDir)
    {
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

    public Task<IReadOnlyList<RunnerInstance>> ListAsync(CancellationToken cancellationToken)
    {
        var alive = new List<RunnerInstance>();
        if (Directory.Exists(Process.WorkRoot))
        {
            foreach (var dir in Directory.EnumerateDirectories(Process.WorkRoot))
            {
                if (ReadRecord(dir) is { } record && ProcessGroup.IsAlive(record.Pid))
                {
                    alive.Add(record.Instance);
                }
                else
                {
                    EndAbandonedStart(dir);
                }
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
        KillLeftovers(runner.Pid, runner.WorkDir);
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

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static RunnerRecord? ReadRecord(string workDir)
    {
        try
        {
            return TryRead(Path.Combine(workDir, "runner.json")) is { } json ? JsonSerializer.Deserialize<RunnerRecord>(json) : null;
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

    private sealed record RunnerRecord(int Pid, RunnerInstance Instance);
}
