using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>
/// Retries of the orchestrator's calls to runners where a retry is safe: reads (GET/HEAD: health, stats, status polls),
/// each attempt under a short timeout. Commands (POST offer, navigate, input, assignment) are sent once and never timed
/// out here: repeating one could act twice, and the caller owns their deadlines.
/// </summary>
public static class RunnerCallResilience
{
    public const string PipelineName = "runner-reads";

    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    public static IHttpClientBuilder AddRunnerCallResilience(this IHttpClientBuilder client)
    {
        client.AddResilienceHandler(PipelineName, pipeline =>
        {
            var retry = new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(100),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            };
            retry.DisableForUnsafeHttpMethods();
            pipeline.AddRetry(retry);
            pipeline.AddTimeout(new HttpTimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(IsRead(args.Context.GetRequestMessage()) ? AttemptTimeout : Timeout.InfiniteTimeSpan),
            });
        });
        return client;
    }

    private static bool IsRead(HttpRequestMessage? request) => request?.Method == HttpMethod.Get || request?.Method == HttpMethod.Head;
}
