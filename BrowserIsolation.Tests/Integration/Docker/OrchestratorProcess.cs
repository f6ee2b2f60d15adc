using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BrowserIsolation.Tests.Integration.Docker;

/// <summary>
/// The real orchestrator, built beside the tests, run as its own process on a loopback port (so a test can also kill
/// and restart it). Ended by PID, with its whole process tree, on dispose.
/// </summary>
public sealed class OrchestratorProcess : IAsyncDisposable
{
    private const string ReadyLine = "BrowserIsolation is ready";
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private OrchestratorProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public int Pid => _process.Id;

    /// <summary>What the orchestrator printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<OrchestratorProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var dll = OrchestratorDll();
        var port = FreeLoopbackPort();
        var start = new ProcessStartInfo(DockerFixture.DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", dll, "--urls", $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var name in new[] { "ASPNETCORE_URLS", "PORT", "OTEL_EXPORTER_OTLP_ENDPOINT" })
        {
            start.Environment.Remove(name);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the orchestrator");
        var orchestrator = new OrchestratorProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = orchestrator.PumpAsync(process.StandardOutput, ready);
        _ = orchestrator.PumpAsync(process.StandardError, null);
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return orchestrator;
        }
        catch (Exception e)
        {
            await orchestrator.DisposeAsync();
            throw new InvalidOperationException($"the orchestrator did not become ready: {e.Message}\n{orchestrator.Output}", e);
        }
    }

    private async Task PumpAsync(StreamReader reader, TaskCompletionSource? ready)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
            if (ready is not null && line.Contains(ReadyLine, StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }
        ready?.TrySetException(new InvalidOperationException($"the orchestrator exited"));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static string OrchestratorDll()
    {
        // Same configuration as the test assembly (bin/<Configuration>/net10.0/).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        var dll = Path.Combine(DockerFixture.RepoRoot, "BrowserIsolation.Orchestrator", "bin", configuration, "net10.0", "BrowserIsolation.Orchestrator.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build BrowserIsolation.Orchestrator ({configuration})");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
