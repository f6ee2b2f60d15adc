using System.Collections.Concurrent;
using System.Diagnostics;
using BrowserIsolation.Orchestrator.Pool;
using BrowserIsolation.Orchestrator.Sessions;
using BrowserIsolation.Orchestrator.Store;
using BrowserIsolation.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Tests.Integration.Redis;

/// <summary>The Redis session store and pool inventory against a real redis-server, two "replicas" = two connections.</summary>
[Trait("Category", "Integration")]
public sealed class RedisStoreTests : IAsyncLifetime
{
    private readonly string _deployment = "t" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<RedisConnection> _connections = [];
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
        await _redis.DisposeAsync();
    }

    private (RedisSessionStore Store, RedisPoolInventory Pool, RedisConnection Connection) Replica(TimeSpan? operationTimeout = null)
    {
        var storeOptions = new StoreOptions { Deployment = _deployment };
        if (operationTimeout is { } timeout)
        {
            storeOptions.OperationTimeout = timeout;
        }
        var connection = new RedisConnection(_redis.ConnectionString, Options.Create(storeOptions),
            NullLogger<RedisConnection>.Instance);
        _connections.Add(connection);
        var store = new RedisSessionStore(connection, new RedisSessionRepair(connection, NullLogger<RedisSessionRepair>.Instance), new ReplicaIdentity(), Options.Create(new StoreOptions()), NullLogger<RedisSessionStore>.Instance);
        return (store, new RedisPoolInventory(connection, TimeProvider.System), connection);
    }

    private static Session NewSession(string? id = null) => new()
    {
        SessionId = id ?? Guid.NewGuid().ToString("N")[..24],
        Url = "http://127.0.0.1/",
        Width = 1280,
        Height = 720,
        CreatedAt = DateTimeOffset.UtcNow,
        LastActivityAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task AdmissionIsAtomicAcrossReplicas()
    {
        var a = Replica().Store;
        var b = Replica().Store;
        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => (i % 2 == 0 ? a : b).TryAddAsync(NewSession(), 6, CancellationToken.None)));
        Assert.Equal(6, results.Count(r => r));
        Assert.Equal(6, (await a.ListAsync(CancellationToken.None)).Count(s => s.IsActive));

        // Ending one frees exactly one slot.
        var first = (await b.ListAsync(CancellationToken.None))[0];
        await a.UpdateAsync(first.SessionId, s => s with { Status = SessionStatus.Terminated }, CancellationToken.None);
        var again = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => b.TryAddAsync(NewSession(), 6, CancellationToken.None)));
        Assert.Equal(1, again.Count(r => r));
    }

    [Fact]
    public async Task ConcurrentUpdatesFromTwoReplicasAreCompareAndSet()
    {
        var a = Replica().Store;
        var b = Replica().Store;
        var session = NewSession();
        Assert.True(await a.TryAddAsync(session, 10, CancellationToken.None));
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? a : b).UpdateAsync(session.SessionId,
            s => s with { StartupMs = (s.StartupMs ?? 0) + 1 }, CancellationToken.None)));
        Assert.Equal(40, (await b.GetAsync(session.SessionId, CancellationToken.None))!.StartupMs);
        Assert.Null(await a.UpdateAsync("missing", s => s, CancellationToken.None));
    }

    [Fact]
    public async Task AStatusChangeOnOneReplicaIsRaisedOnTheOther()
    {
        var a = Replica().Store;
        var (b, _, bConnection) = Replica();
        var seen = new ConcurrentQueue<SessionChange>();
        b.Changed += seen.Enqueue;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await RedisSubscribe.UntilSubscribedAsync(bConnection, bConnection.Keys.Changes, b.OnPublished, NullLogger.Instance, cts.Token);

        var session = NewSession();
        await a.TryAddAsync(session, 10, CancellationToken.None);
        await a.UpdateAsync(session.SessionId, s => s with { LastActivityAt = DateTimeOffset.UtcNow }, CancellationToken.None); // no status change
        await a.UpdateAsync(session.SessionId, s => s with { Status = SessionStatus.Terminated }, CancellationToken.None);
        await Platform.SessionLifecycleTests.Eventually(() => seen.Count >= 2, TimeSpan.FromSeconds(5), "two changes on replica b");
        Assert.Equal([SessionStatus.Pending, SessionStatus.Terminated], seen.Select(c => c.Status));
        Assert.Equal(2, (await a.EventsAsync(session.SessionId, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task APooledRunnerIsClaimedByExactlyOneSession()
    {
        var a = Replica();
        var b = Replica();
        for (var i = 0; i < 4; i++)
        {
            var runner = new PoolRunner($"r-{i}", $"http://127.0.0.1:{5000 + i}/", "token", "process", "a", 1280, 720, 1, 0);
            Assert.True(await a.Pool.TryReserveAsync(runner, target: 4, maxSessions: 10, CancellationToken.None));
            Assert.True(await a.Pool.PromoteAsync(runner with { ReadyAtMs = 100 + i }, CancellationToken.None));
        }
        // The target is reached: no fifth reservation.
        Assert.False(await b.Pool.TryReserveAsync(new PoolRunner("r-x", "", "", "process", "b", 1280, 720, 1, 0), 4, 10, CancellationToken.None));

        var claims = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            (i % 2 == 0 ? a : b).Pool.TryClaimAsync($"s-{i}", 1280, 720, CancellationToken.None)));
        var won = claims.OfType<PoolRunner>().ToList();
        Assert.Equal(4, won.Count);
        Assert.Equal(4, won.Select(r => r.RunnerId).Distinct().Count());
        var snapshot = await b.Pool.SnapshotAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Empty(snapshot.Available);
        Assert.Equal(4, snapshot.Claimed.Count);
    }

    [Fact]
    public async Task AClaimPrefersTheRequestedSizeAndReservationsRespectMaxSessions()
    {
        var (store, pool, _) = Replica();
        Assert.True(await pool.TryReserveAsync(new PoolRunner("small", "http://127.0.0.1:1/", "t", "process", "a", 800, 600, 1, 0), 5, 3, CancellationToken.None));
        await pool.PromoteAsync(new PoolRunner("small", "http://127.0.0.1:1/", "t", "process", "a", 800, 600, 1, 10), CancellationToken.None);
        Assert.True(await pool.TryReserveAsync(new PoolRunner("big", "http://127.0.0.1:2/", "t", "process", "a", 1280, 720, 1, 0), 5, 3, CancellationToken.None));
        await pool.PromoteAsync(new PoolRunner("big", "http://127.0.0.1:2/", "t", "process", "a", 1280, 720, 1, 20), CancellationToken.None);
        // One active session + two pool runners = MaxSessions 3: no more pool slots.
        await store.TryAddAsync(NewSession(), 3, CancellationToken.None);
        Assert.False(await pool.TryReserveAsync(new PoolRunner("third", "", "", "process", "a", 1280, 720, 1, 0), 5, 3, CancellationToken.None));
        Assert.Equal("big", (await pool.TryClaimAsync("s1", 1280, 720, CancellationToken.None))!.RunnerId);

        // Two more sessions: pool + active exceed MaxSessions, so the remaining runner is trimmed at once.
        await store.TryAddAsync(NewSession(), 3, CancellationToken.None);
        await store.TryAddAsync(NewSession(), 3, CancellationToken.None);
        Assert.Equal("small", (await pool.TryTrimAsync("a", target: 5, maxSessions: 3, trimToTarget: false, CancellationToken.None))!.RunnerId);
    }

    [Fact]
    public async Task WhenRedisIsDownCallsFailFastAndRecoverWhenItIsBack()
    {
        var (store, _, _) = Replica();
        Assert.True(await store.TryAddAsync(NewSession(), 10, CancellationToken.None));
        _redis.Stop();
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.ListAsync(CancellationToken.None));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.TryAddAsync(NewSession(), 10, CancellationToken.None));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"failing took {clock.ElapsedMilliseconds} ms");

        await _redis.StartAgainAsync();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Assert.True(await store.TryAddAsync(NewSession(), 10, CancellationToken.None));
                break;
            }
            catch (StoreUnavailableException) when (deadline.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(200);
            }
        }
    }

    [Fact]
    public async Task AHungRedisTimesOutInsteadOfHanging()
    {
        var (store, _, _) = Replica(TimeSpan.FromMilliseconds(500));
        Assert.True(await store.TryAddAsync(NewSession(), 10, CancellationToken.None));
        _redis.Pause();
        try
        {
            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAsync<StoreUnavailableException>(() => store.ListAsync(CancellationToken.None));
            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(1.5));
        }
        finally
        {
            _redis.Resume();
        }
        Assert.Single(await store.ListAsync(CancellationToken.None));
    }
}
