using System.Net.Http.Headers;
using System.Net.Http.Json;
using BrowserIsolation.Orchestrator.Runners;

namespace BrowserIsolation.Orchestrator.Pool;

/// <summary>
/// Exercises a fresh pool runner's HTTP stack before it is offered (the first request to a new .NET process pays for
/// JIT: ~150 ms here), over the handler RunnerClient uses, so a claim pays only for the assignment itself.
/// </summary>
public sealed class RunnerWarmup(IHttpClientFactory httpClients, ILogger<RunnerWarmup> logger)
{
    public async Task WarmAsync(RunnerInstance runner, CancellationToken cancellationToken)
    {
        var http = httpClients.CreateClient(nameof(RunnerClient));
        try
        {
            foreach (var path in new[] { "health", "stats", "stats" })
            {
                using var request = Request(HttpMethod.Get, runner, path);
                using var response = await http.SendAsync(request, cancellationToken);
            }
            // An assignment without a session id is refused (400) before anything is assigned: it warms the body binding.
            using var invalid = Request(HttpMethod.Post, runner, "session");
            invalid.Content = JsonContent.Create(new { url = "about:blank" });
            using var refused = await http.SendAsync(invalid, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            logger.LogDebug(ex, "Warm-up of runner {RunnerId} failed", runner.RunnerId);
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, RunnerInstance runner, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(runner.ControlUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", runner.Token);
        return request;
    }
}
