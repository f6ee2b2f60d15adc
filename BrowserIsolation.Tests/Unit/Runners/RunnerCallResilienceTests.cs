using BrowserIsolation.Orchestrator.Runners;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.Tests.Unit.Runners;

/// <summary>Against a loopback server that fails the first calls: reads are retried, commands are sent once.</summary>
public sealed class RunnerCallResilienceTests : IAsyncLifetime
{
    private WebApplication _server = null!;
    private Uri _base = null!;
    private int _getCalls;
    private int _postCalls;
    private int _slowCalls;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet("/stats", () => Interlocked.Increment(ref _getCalls) == 1 ? Results.StatusCode(503) : Results.Ok(new { ok = true }));
        _server.MapPost("/navigate", () => { Interlocked.Increment(ref _postCalls); return Results.StatusCode(503); });
        _server.MapGet("/slow", async (CancellationToken aborted) =>
        {
            if (Interlocked.Increment(ref _slowCalls) == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), aborted);
            }
            return Results.Ok();
        });
        await _server.StartAsync();
        _base = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private HttpClient Client()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("runner").AddRunnerCallResilience();
        return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>().CreateClient("runner");
    }

    [Fact]
    public async Task A_failed_read_is_retried()
    {
        using var response = await Client().GetAsync(new Uri(_base, "stats"));

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(2, _getCalls);
    }

    [Fact]
    public async Task A_failed_command_is_not_repeated()
    {
        using var response = await Client().PostAsync(new Uri(_base, "navigate"), new StringContent("{}"));

        Assert.Equal(503, (int)response.StatusCode);
        Assert.Equal(1, _postCalls);
    }

    [Fact]
    public async Task A_read_that_hangs_is_cut_short_and_retried()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var response = await Client().GetAsync(new Uri(_base, "slow"));

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(2, _slowCalls);
        Console.WriteLine($"[resilience] hung read answered after {watch.ElapsedMilliseconds} ms (attempt timeout {RunnerCallResilience.AttemptTimeout.TotalSeconds} s)");
    }
}
