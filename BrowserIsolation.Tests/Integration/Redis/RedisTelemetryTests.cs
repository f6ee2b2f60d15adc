using System.Net;
using Xunit.Abstractions;
using System.Net.Http.Json;
using BrowserIsolation.Tests.Fixtures;
using BrowserIsolation.Tests.Integration.Docker;

namespace BrowserIsolation.Tests.Integration.Redis;

/// <summary>
/// The service defaults' OpenTelemetry setup, end to end: an orchestrator on Redis exports to an OTLP receiver its own
/// session.create span, the ASP.NET Core request spans, the Redis command spans and the request and product metrics.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RedisTelemetryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SessionRequestsAndRedisCallsReachTheOtlpReceiver()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var site = await TestSite.StartAsync();
        await using var collector = await OtlpReceiver.StartAsync();
        await using var orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__sessions"] = redis.ConnectionString,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
        });

        using var created = await orchestrator.Http.PostAsJsonAsync("/api/sessions?wait=true", new { url = site.Url(TestSite.Pages.Red) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var expected = new (string Signal, string[] Texts)[]
        {
            ("traces", ["session.create", "session.id"]),          // the product's own ActivitySource
            ("traces", ["http.route", "/api/sessions"]),            // AspNetCore instrumentation
            ("traces", ["db.system", "redis"]),                     // StackExchange.Redis instrumentation
            ("metrics", ["http.server.request.duration"]),          // AspNetCore metrics
            ("metrics", ["BrowserIsolation"]),                      // the product's own Meter
        };
        foreach (var (signal, texts) in expected)
        {
            try
            {
                await collector.WaitForAsync(signal, TimeSpan.FromSeconds(20), texts);
            }
            catch (TimeoutException)
            {
                output.WriteLine(collector.Dump);
                Assert.Fail($"no {signal} export with {string.Join(", ", texts)} (received {collector.Summary})");
            }
        }
    }
}
