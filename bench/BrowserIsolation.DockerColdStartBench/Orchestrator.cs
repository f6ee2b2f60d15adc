using System.Diagnostics;
using System.Text.RegularExpressions;

namespace BrowserIsolation.DockerColdStartBench;

/// <summary>An orchestrator process on a free loopback port; ended (by PID) on dispose.</summary>
public sealed partial class Orchestrator : IAsyncDisposable
{
    private readonly Process _process;

    private Orchestrator(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public static async Task<Orchestrator> StartAsync(string dll, Dictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "exec", dll, "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Sessions__MaxSessions"] = "4";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the orchestrator");
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ReadyLine().Match(e.Data) is { Success: true } m)
            {
                ready.TrySetResult(new Uri(m.Groups[1].Value));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"  [{settings["Runner__Provider"]}] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new Orchestrator(process, await ready.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    [GeneratedRegex(@"BrowserIsolation is ready: open (\S+) in a browser")]
    private static partial Regex ReadyLine();

    public async ValueTask DisposeAsync()
    {
        // SIGTERM: it stops its process runners; every session of this bench is deleted already.
        Process.Start("kill", ["-TERM", _process.Id.ToString()])?.WaitForExit();
        if (!_process.WaitForExit(15_000))
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
