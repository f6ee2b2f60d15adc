using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>
/// A Polly circuit breaker around every runner start. After <see cref="RunnerStartBreakerOptions.FailuresToOpen"/>
/// failures in a row it opens: starts are refused at once with the last failure as the reason, and after a break that
/// doubles with every failed probe (jittered, capped) one start is let through to probe. It logs state changes only,
/// so a missing image or a dead daemon costs a few attempts a minute instead of thousands of stack traces.
/// </summary>
public sealed class RunnerStartBreaker
{
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly CircuitBreakerManualControl _control = new();
    private readonly RunnerStartBreakerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RunnerStartBreaker> _logger;
    private readonly Lock _lock = new();
    private string? _lastFailure;
    private DateTimeOffset? _lastFailureAt;
    private DateTimeOffset? _openedAt;
    private DateTimeOffset? _retryAt;
    private int _failuresInRow;
    private long _attempts;
    private long _failures;

    public RunnerStartBreaker(IOptions<RunnerOptions> options, TimeProvider time, ILogger<RunnerStartBreaker> logger)
    {
        _options = options.Value.StartBreaker;
        _time = time;
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                // Cancellation is the caller giving up, not the runner backend failing.
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                FailureRatio = 1.0,
                MinimumThroughput = Math.Max(2, _options.FailuresToOpen),
                SamplingDuration = _options.SamplingWindow,
                BreakDurationGenerator = args => ValueTask.FromResult(BreakFor(args.HalfOpenAttempts)),
                StateProvider = _circuit,
                ManualControl = _control,
                OnOpened = args =>
                {
                    var retryAt = _time.GetUtcNow() + args.BreakDuration;
                    lock (_lock)
                    {
                        _openedAt ??= _time.GetUtcNow();
                        _retryAt = retryAt;
                    }
                    _logger.LogWarning("Runner starts suspended for {Seconds:0.0} s after {Failures} failures in a row: {Reason}",
                        args.BreakDuration.TotalSeconds, _failuresInRow, _lastFailure);
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    _logger.LogInformation("Runner starts: probing with one start");
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    lock (_lock)
                    {
                        _openedAt = null;
                        _retryAt = null;
                    }
                    _logger.LogInformation("Runner starts work again");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Runs one start through the breaker; while it is open this throws <see cref="RunnerUnavailableException"/> at once.</summary>
    public async Task<T> StartAsync<T>(Func<CancellationToken, Task<T>> start, CancellationToken cancellationToken)
    {
        try
        {
            Interlocked.Increment(ref _attempts);
            var result = await _pipeline.ExecuteAsync(async ct =>
            {
                try
                {
                    return await start(ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Counted before the breaker sees the failure, so the line it logs on opening has the right streak.
                    NoteFailure(ex);
                    throw;
                }
            }, cancellationToken);
            Interlocked.Exchange(ref _failuresInRow, 0);
            if (_circuit.CircuitState == CircuitState.Closed)
            {
                // Polly breaks on a failure ratio over its window; "N failures in a row" needs the window to forget the
                // successes (closing a closed circuit only resets its counts). Else a daemon that dies after a few good
                // starts would be tried for every create until those successes age out of the window.
                await _control.CloseAsync(CancellationToken.None);
            }
            return result;
        }
        catch (BrokenCircuitException)
        {
            Interlocked.Decrement(ref _attempts);
            throw new RunnerUnavailableException(Refusal());
        }
    }

    private void NoteFailure(Exception ex)
    {
        Interlocked.Increment(ref _failures);
        var inRow = Interlocked.Increment(ref _failuresInRow);
        lock (_lock)
        {
            _lastFailure = ex.Message;
            _lastFailureAt = _time.GetUtcNow();
        }
        if (inRow == 1)
        {
            _logger.LogWarning("A runner failed to start: {Reason}", ex.Message);
        }
    }

    /// <summary>The backend answers again: close an open breaker now (a new failure streak opens it again).</summary>
    public void OnBackendRecovered()
    {
        if (_circuit.CircuitState == CircuitState.Closed)
        {
            return;
        }
        _logger.LogInformation("The runner backend answers again: runner starts resume");
        Interlocked.Exchange(ref _failuresInRow, 0);
        _ = _control.CloseAsync(CancellationToken.None);
    }

    /// <summary>True while starts are refused without an attempt (open, and its break has not yet passed).</summary>
    public bool IsRefusing
    {
        get
        {
            lock (_lock)
            {
                return _circuit.CircuitState is CircuitState.Open or CircuitState.Isolated && _retryAt > _time.GetUtcNow();
            }
        }
    }

    /// <summary>True while the breaker is not closed: only one start at a time should go (the probe).</summary>
    public bool IsProbing => _circuit.CircuitState != CircuitState.Closed;

    public RunnerStartStatus Status
    {
        get
        {
            lock (_lock)
            {
                var state = _circuit.CircuitState switch
                {
                    CircuitState.Closed => "closed",
                    CircuitState.HalfOpen => "half_open",
                    _ when _retryAt <= _time.GetUtcNow() => "half_open",
                    _ => "open",
                };
                return new RunnerStartStatus(state, _failuresInRow, Interlocked.Read(ref _attempts), Interlocked.Read(ref _failures),
                    _lastFailure, _lastFailureAt, _openedAt, state == "open" ? _retryAt : null);
            }
        }
    }

    /// <summary>Seconds until the next probe, for Retry-After.</summary>
    public int RetryAfterSeconds
    {
        get
        {
            lock (_lock)
            {
                return RetryAfterSecondsUnlocked();
            }
        }
    }

    public string Refusal()
    {
        lock (_lock)
        {
            return $"runner starts are suspended after {_failuresInRow} failures in a row (next try in {RetryAfterSecondsUnlocked()} s): {_lastFailure}";
        }
    }

    private int RetryAfterSecondsUnlocked() =>
        _retryAt is { } at ? Math.Max(1, (int)Math.Ceiling((at - _time.GetUtcNow()).TotalSeconds)) : 1;

    /// <summary>First break, doubled per failed probe, capped, with ±20 % jitter so replicas do not probe in step.</summary>
    private TimeSpan BreakFor(int failedProbes)
    {
        var seconds = Math.Min(_options.MaxBreak.TotalSeconds, _options.FirstBreak.TotalSeconds * Math.Pow(2, Math.Min(failedProbes, 16)));
        return TimeSpan.FromSeconds(Math.Max(0.5, seconds * (0.8 + Random.Shared.NextDouble() * 0.4)));
    }
}

/// <summary>Configuration section <c>Runner:StartBreaker</c>.</summary>
public sealed class RunnerStartBreakerOptions
{
    /// <summary>Failed starts in a row (within <see cref="SamplingWindow"/>) that open the breaker.</summary>
    public int FailuresToOpen { get; set; } = 3;

    public TimeSpan SamplingWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The first break; each failed probe doubles it up to <see cref="MaxBreak"/>.</summary>
    public TimeSpan FirstBreak { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxBreak { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The breaker as GET /api/pool and /health show it.</summary>
public sealed record RunnerStartStatus(
    string State,
    int FailuresInRow,
    long Attempts,
    long Failures,
    string? LastFailure,
    DateTimeOffset? LastFailureAt,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? RetryAt);

/// <summary>Runner starts are suspended by the breaker; the message names the last failure.</summary>
public sealed class RunnerUnavailableException(string message) : Exception(message);
