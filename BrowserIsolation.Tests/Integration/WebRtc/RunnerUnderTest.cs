using System.Net.Http.Headers;
using System.Net.Http.Json;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Runners.Process;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Tests.Integration.WebRtc;

/// <summary>
/// A real BrowserIsolation.Runner process (and its Chromium), started and ended by the orchestrator's process
/// provider, with its WebRTC port on loopback. Dispose ends both process groups and deletes the work directory.
/// </summary>
internal sealed class RunnerUnderTest : IAsyncDisposable
{
    private readonly ProcessRunnerProvider _provider;
    private readonly string _workRoot;

    private RunnerUnderTest(ProcessRunnerProvider provider, string workRoot, RunnerInstance instance)
    {
        _provider = provider;
        _workRoot = workRoot;
        Instance = instance;
        Http = new HttpClient { BaseAddress = instance.ControlUri, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", instance.Token);
    }

    public RunnerInstance Instance { get; }

    /// <summary>Talks to the runner's control API with its token.</summary>
    public HttpClient Http { get; }

    public static async Task<RunnerUnderTest> StartAsync(int width, int height)
    {
        // The configuration the tests were built in (./test.sh builds Release).
        var runnerPath = Path.Combine(RepositoryRoot(), "BrowserIsolation.Runner", "bin", Fixtures.RepoPaths.Configuration, "net10.0",
            "BrowserIsolation.Runner.dll");
        if (!File.Exists(runnerPath))
        {
            Assert.Fail($"The runner is not built at {runnerPath}.");
        }
        // Children inherit the environment: the runner's WebRTC socket binds loopback only, as tests must.
        Environment.SetEnvironmentVariable("Media__UdpBindAddress", "127.0.0.1");
        var workRoot = Path.Combine(Path.GetTempPath(), "bi-webrtc-tests-" + Guid.NewGuid().ToString("N")[..8]);
        var options = new RunnerOptions
        {
            StartTimeout = TimeSpan.FromSeconds(60),
            Process = new ProcessRunnerOptions { RunnerPath = runnerPath, WorkRoot = workRoot },
        };
        var provider = new ProcessRunnerProvider(Options.Create(options), NullLogger<ProcessRunnerProvider>.Instance);
        try
        {
            var instance = await provider.StartAsync(
                new RunnerStartRequest("webrtc-" + Guid.NewGuid().ToString("N")[..8], width, height, new Dictionary<string, string>()),
                CancellationToken.None);
            return new RunnerUnderTest(provider, workRoot, instance);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    /// <summary>POST /session: exact viewport, then navigation.</summary>
    public async Task AssignAsync(string url, int width, int height)
    {
        using var response = await Http.PostAsJsonAsync("/session", new { sessionId = "s-" + Instance.RunnerId, url, width, height });
        Assert.True(response.IsSuccessStatusCode, $"POST /session: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>POST /webrtc/offer with the runner's token; returns the answer SDP.</summary>
    public async Task<string> OfferAsync(string offerSdp)
    {
        using var response = await Http.PostAsync("/webrtc/offer", new StringContent(offerSdp, System.Text.Encoding.UTF8, "application/sdp"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /webrtc/offer: {(int)response.StatusCode} {body}");
        return body;
    }

    public async Task<System.Text.Json.JsonElement> WebRtcStatsAsync() =>
        await Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/webrtc/stats");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _provider.StopAsync(Instance.RunnerId, CancellationToken.None);
        await _provider.DisposeAsync();
        try
        {
            Directory.Delete(_workRoot, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "BrowserIsolation.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("BrowserIsolation.sln not found above " + AppContext.BaseDirectory);
    }
}
