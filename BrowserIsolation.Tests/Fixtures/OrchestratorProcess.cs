using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BrowserIsolation.Tests.Fixtures;

/// <summary>
/// A real orchestrator process on a free loopback port, as users run it. Its runners' work directories go to a
/// private folder, so tests can check that nothing is left behind. Dispose stops it and every runner it started.
/// </summary>
public sealed partial class OrchestratorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private OrchestratorProcess(Process process, Uri baseUri, string workRoot)
    {
        _process = process;
        BaseUri = baseUri;
        WorkRoot = workRoot;
        Http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseUri { get; }

    public string WorkRoot { get; }

    public HttpClient Http { get; }

    public int Pid => _process.Id;

    public string Output { get { lock (_output) { return string.Join('\n', _output); } } }

    public static async Task<OrchestratorProcess> StartAsync(IDictionary<string, string>? settings = null, string? workRoot = null)
    {
        workRoot ??= Directory.CreateTempSubdirectory("bi-test-runners-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", RepoPaths.OrchestratorDll, "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["Runner__Process__WorkRoot"] = workRoot;
        // Runners inherit this: their WebRTC port stays on loopback in tests.
        start.Environment["Media__UdpBindAddress"] = "127.0.0.1";
        start.Environment["Logging__LogLevel__Default"] = "Information";
        // The browser may reach the tests' web sites (TestSite.DefaultAddress) and nothing else local.
        start.Environment["Policy__Egress__AllowCidrs__0"] = TestSite.DefaultAddress + "/32";
        // Tests fire requests in bursts on purpose; the ones about rate limits turn them on.
        start.Environment["RateLimits__Enabled"] = "false";
        start.Environment.Remove("PORT");
        start.Environment.Remove("ASPNETCORE_URLS");
        // The platform tests count runner directories: no warm pool unless a test asks for one.
        if (settings is null || !settings.Keys.Any(k => k.StartsWith("Pool__", StringComparison.Ordinal)))
        {
            start.Environment["Pool__Enabled"] = "false";
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the orchestrator");
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lines = new List<string>();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (lines)
            {
                lines.Add(line);
            }
            if (ReadyLine().Match(line) is { Success: true } m)
            {
                ready.TrySetResult(new Uri(m.Groups[1].Value));
            }
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var uri = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var orchestrator = new OrchestratorProcess(process, uri, workRoot);
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (orchestrator._output) { orchestrator._output.Add(e.Data); } } };
            lock (lines)
            {
                orchestrator._output.AddRange(lines);
            }
            return orchestrator;
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"orchestrator did not start. Output:\n{string.Join('\n', lines)}");
        }
    }

    [GeneratedRegex(@"BrowserIsolation is ready: open (\S+) in a browser")]
    private static partial Regex ReadyLine();

    public async Task<JsonElement> CreateSessionAsync(string url, int? width = null, int? height = null)
    {
        var response = await Http.PostAsJsonAsync("/api/sessions", new { url, width, height });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"create failed: {(int)response.StatusCode} {body}");
        return body;
    }

    public async Task<JsonElement> GetSessionAsync(string id) => await Http.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}");

    /// <summary>Polls until the session has <paramref name="status"/> (fails fast on error unless error is expected).</summary>
    public async Task<JsonElement> WaitForStatusAsync(string id, string status, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        JsonElement last = default;
        while (deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(45)))
        {
            last = await GetSessionAsync(id);
            var current = last.GetProperty("status").GetString();
            if (current == status)
            {
                return last;
            }
            if (current == "error" && status != "error")
            {
                Assert.Fail($"session {id} failed: {last}");
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"session {id} did not reach {status}; last: {last}\n{Output}");
    }

    public async Task<string> CreateReadySessionAsync(string url, int? width = null, int? height = null)
    {
        var id = (await CreateSessionAsync(url, width, height)).GetProperty("sessionId").GetString()!;
        await WaitForStatusAsync(id, "ready");
        return id;
    }

    public async Task<ClientWebSocket> ConnectAsync(string sessionId, string? query = null)
    {
        var socket = new ClientWebSocket();
        var ws = new UriBuilder(BaseUri) { Scheme = "ws", Path = $"/ws/sessions/{sessionId}", Query = query ?? "" }.Uri;
        await socket.ConnectAsync(ws, new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        return socket;
    }

    /// <summary>SIGKILL of the orchestrator alone (a crash): its runners keep running unless they exit with it.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-KILL", _process.Id.ToString()])?.WaitForExit();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>SIGTERM, as a service manager stops it; returns how long it took to exit (it is killed after 30 s).</summary>
    public TimeSpan Stop()
    {
        var clock = Stopwatch.StartNew();
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString()])?.WaitForExit();
            if (!_process.WaitForExit(30_000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        return clock.Elapsed;
    }

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        // SIGTERM: the orchestrator stops its runners on the way out.
        Stop();
        _process.Dispose();
        RunnerLeftovers.KillUnder(WorkRoot);
        try
        {
            Directory.Delete(WorkRoot, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
        return ValueTask.CompletedTask;
    }
}
