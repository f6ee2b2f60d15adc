using System.Diagnostics;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Store;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Sessions;

/// <summary>Session lifecycle: pending → ready → terminated, or error with a reason. Owns the runners behind sessions.</summary>
public sealed class SessionService(
    ISessionStore store,
    IRunnerSource runners,
    RunnerClient runnerClient,
    SessionMetrics metrics,
    IOptions<SessionLimits> options,
    TimeProvider time,
    ILogger<SessionService> logger)
{
    private readonly SessionLimits _options = options.Value;

    /// <summary>Admits the session (or returns null when MaxSessions are active) and starts its runner in the background.</summary>
    public async Task<Session?> CreateAsync(string url, int width, int height, string createdBy, CancellationToken cancellationToken)
    {
        using var activity = SessionMetrics.Activities.StartActivity("session.create");
        var now = time.GetUtcNow();
        var session = new Session
        {
            SessionId = NewId(),
            Url = url,
            Width = width,
            Height = height,
            CreatedAt = now,
            LastActivityAt = now,
            CreatedBy = createdBy,
        };
        activity?.SetTag("session.id", session.SessionId);
        if (!await store.TryAddAsync(session, _options.MaxSessions, cancellationToken))
        {
            activity?.SetTag("session.admitted", false);
            return null;
        }
        metrics.Created();
        _ = Task.Run(() => StartRunnerAsync(session), CancellationToken.None);
        return session;
    }

    /// <summary>Waits until the session leaves pending, or the timeout passes.</summary>
    public async Task<Session?> WaitUntilStartedAsync(string sessionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(SessionChange change)
        {
            if (change.SessionId == sessionId && change.Status != SessionStatus.Pending)
            {
                done.TrySetResult();
            }
        }
        store.Changed += OnChange;
        try
        {
            if (await store.GetAsync(sessionId, cancellationToken) is { Status: SessionStatus.Pending })
            {
                await done.Task.WaitAsync(timeout, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            return await store.GetAsync(sessionId, cancellationToken);
        }
        finally
        {
            store.Changed -= OnChange;
        }
    }

    private async Task StartRunnerAsync(Session session)
    {
        using var activity = SessionMetrics.Activities.StartActivity("session.start");
        activity?.SetTag("session.id", session.SessionId);
        var started = Stopwatch.StartNew();
        AcquiredRunner? acquired = null;
        try
        {
            using var timeout = new CancellationTokenSource(_options.StartTimeout);
            acquired = await runners.AcquireAsync(session.SessionId, session.Width, session.Height, timeout.Token);
            var runner = acquired.Runner;
            var withRunner = await store.UpdateAsync(session.SessionId, s => s.Status == SessionStatus.Pending
                ? s with { RunnerId = runner.RunnerId, RunnerUri = runner.ControlUri.ToString(), RunnerToken = runner.Token, Provider = runner.Provider, PoolHit = acquired.PoolHit }
                : null, CancellationToken.None);
            if (withRunner is not { Status: SessionStatus.Pending })
            {
                // Deleted while starting: the runner is nobody's.
                await runners.ReleaseAsync(runner.RunnerId, CancellationToken.None);
                return;
            }
            await runnerClient.AssignAsync(withRunner, timeout.Token);
            var elapsed = started.Elapsed.TotalMilliseconds;
            var ready = await store.UpdateAsync(session.SessionId, s => s.Status == SessionStatus.Pending
                ? s with { Status = SessionStatus.Ready, ReadyAt = time.GetUtcNow(), StartupMs = (long)elapsed, LastActivityAt = time.GetUtcNow() }
                : null, CancellationToken.None);
            if (ready?.Status != SessionStatus.Ready)
            {
                await runners.ReleaseAsync(runner.RunnerId, CancellationToken.None);
                return;
            }
            metrics.Started(elapsed, acquired.PoolHit);
            activity?.SetTag("pool.hit", acquired.PoolHit);
            logger.LogInformation("Session {SessionId} ready in {Ms:0} ms on {RunnerId} ({Pool})", session.SessionId, elapsed,
                runner.RunnerId, acquired.PoolHit ? "pool hit" : "cold");
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            metrics.RunnerFailed("start");
            if (ex is RunnerStartException or RunnerUnavailableException or OperationCanceledException)
            {
                logger.LogWarning("Session {SessionId} failed to start: {Reason}", session.SessionId, ex.Message);
            }
            else
            {
                logger.LogWarning(ex, "Session {SessionId} failed to start", session.SessionId);
            }
            await FailAsync(session.SessionId, ex is OperationCanceledException
                ? $"the browser did not start within {_options.StartTimeout.TotalSeconds:0} s"
                : $"the browser failed to start: {ex.Message}");
            if (acquired is not null)
            {
                await runners.ReleaseAsync(acquired.Runner.RunnerId, CancellationToken.None);
            }
        }
    }

    public Task<Session?> GetAsync(string sessionId, CancellationToken cancellationToken) => store.GetAsync(sessionId, cancellationToken);

    public Task<IReadOnlyList<Session>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    /// <summary>Ends the session and its runner. False when there is no such session.</summary>
    public async Task<bool> TerminateAsync(string sessionId, string reason, CancellationToken cancellationToken)
    {
        var ended = await EndAsync(sessionId, SessionStatus.Terminated, reason);
        return ended is not null;
    }

    /// <summary>Marks a session failed (runner died, did not start) and releases its runner.</summary>
    public Task FailAsync(string sessionId, string error) => EndAsync(sessionId, SessionStatus.Error, error);

    private async Task<Session?> EndAsync(string sessionId, SessionStatus status, string reason)
    {
        var wasActive = false;
        var ended = await store.UpdateAsync(sessionId, s =>
        {
            wasActive = s.IsActive;
            return s.IsActive
                ? s with { Status = status, EndedAt = time.GetUtcNow(), Error = status == SessionStatus.Error ? reason : s.Error }
                : null;
        }, CancellationToken.None);
        if (ended is null)
        {
            return null;
        }
        if (wasActive)
        {
            metrics.Ended(status);
            logger.LogInformation("Session {SessionId} {Status}: {Reason}", sessionId, status.ToString().ToLowerInvariant(), reason);
            if (ended.RunnerId is not null)
            {
                try
                {
                    await runners.ReleaseAsync(ended.RunnerId, CancellationToken.None);
                }
                catch (IOException ex)
                {
                    // The runner backend is away (e.g. the Docker daemon restarting): its message says so, the stack does not.
                    logger.LogWarning("Could not stop runner {RunnerId} of session {SessionId}: {Reason}; reconciliation will end it",
                        ended.RunnerId, sessionId, ex.Message);
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "Could not stop runner {RunnerId} of session {SessionId}", ended.RunnerId, sessionId);
                }
            }
        }
        return ended;
    }

    /// <summary>A runner ended on its own: its session, if any, goes to error.</summary>
    public async Task OnRunnerExitedAsync(RunnerExit exit)
    {
        metrics.RunnerFailed("running");
        var sessions = await store.ListAsync(CancellationToken.None);
        if (sessions.FirstOrDefault(s => s.RunnerId == exit.RunnerId && s.IsActive) is { } session)
        {
            await FailAsync(session.SessionId, exit.Reason);
        }
    }

    /// <summary>Records client activity so the idle timeout counts from now.</summary>
    public Task TouchAsync(string sessionId) =>
        store.UpdateAsync(sessionId, s => s.IsActive ? s with { LastActivityAt = time.GetUtcNow() } : null, CancellationToken.None);

    public Task ForgetAsync(string sessionId, CancellationToken cancellationToken) => store.RemoveAsync(sessionId, cancellationToken);

    private static string NewId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
}
