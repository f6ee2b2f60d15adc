using BrowserIsolation.Orchestrator.Runners;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Tests.Unit.Runners;

/// <summary>The breaker opens on N failures in a row, also right after a run of successes (a daemon that just died).</summary>
public sealed class RunnerStartBreakerStreakTests
{
    [Fact]
    public async Task Three_failures_in_a_row_open_it_even_after_successes_and_then_starts_are_refused()
    {
        var breaker = new RunnerStartBreaker(Options.Create(new RunnerOptions()), TimeProvider.System, NullLogger<RunnerStartBreaker>.Instance);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(i, await breaker.StartAsync(_ => Task.FromResult(i), CancellationToken.None));
        }
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<IOException>(() => breaker.StartAsync<int>(_ => throw new IOException("cannot reach the Docker daemon at unix:///x.sock"),
                CancellationToken.None));
        }

        Assert.True(breaker.IsRefusing);
        Assert.Equal("open", breaker.Status.State);
        var refused = await Assert.ThrowsAsync<RunnerUnavailableException>(() => breaker.StartAsync(_ => Task.FromResult(1), CancellationToken.None));
        Assert.Contains("unix:///x.sock", refused.Message);
    }

    [Fact]
    public async Task The_backend_answering_again_closes_it_at_once()
    {
        var breaker = new RunnerStartBreaker(Options.Create(new RunnerOptions()), TimeProvider.System, NullLogger<RunnerStartBreaker>.Instance);
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<IOException>(() => breaker.StartAsync<int>(_ => throw new IOException("daemon away"), CancellationToken.None));
        }
        Assert.True(breaker.IsRefusing);

        breaker.OnBackendRecovered();
        await Task.Delay(50);

        Assert.Equal("closed", breaker.Status.State);
        Assert.Equal(7, await breaker.StartAsync(_ => Task.FromResult(7), CancellationToken.None));
    }

    [Fact]
    public async Task Failures_broken_by_a_success_do_not_open_it()
    {
        var breaker = new RunnerStartBreaker(Options.Create(new RunnerOptions()), TimeProvider.System, NullLogger<RunnerStartBreaker>.Instance);
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 2; i++)
            {
                await Assert.ThrowsAsync<IOException>(() => breaker.StartAsync<int>(_ => throw new IOException("flaky"), CancellationToken.None));
            }
            await breaker.StartAsync(_ => Task.FromResult(0), CancellationToken.None);
        }
        Assert.Equal("closed", breaker.Status.State);
    }
}
