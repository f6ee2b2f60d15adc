using BrowserIsolation.Orchestrator.Sessions;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using BrowserIsolation.ServiceDefaults.Telemetry;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>
/// Runs each runner in its own container: non-root, read-only root filesystem, every capability dropped, a seccomp
/// profile that lets Chromium keep its own sandbox, and memory/CPU/PID limits. Containers carry labels
/// (<c>{prefix}.runner</c>, <c>.owner</c>, <c>.session</c>, <c>.pool</c>, ...) so a restarted orchestrator finds them
/// through <see cref="ListAsync"/>.
/// </summary>
public sealed class DockerRunnerProvider : IRunnerProvider, IRunnerBackendSignals, IAsyncDisposable
{
    public const string ProviderName = "docker";

    private static readonly TimeSpan HealthPollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StateCheckInterval = TimeSpan.FromSeconds(1);
    private const int StartAttempts = 3;

    private readonly IDockerClient _docker;
    private readonly DockerEndpoint _endpoint;
    private readonly DockerRunnerOptions _options;
    private readonly TimeSpan _startTimeout;
    private readonly ILogger<DockerRunnerProvider> _logger;
    private readonly RunnerContainerTemplate _template;
    private readonly RunnerPolicyEnvironment? _policy;
    private readonly IConfiguration _configuration;
    private readonly IReadOnlyList<IPAddress> _hostAddresses;
    private readonly HostPortAllocator _ports;
    private readonly HttpClient _health;
    private readonly ContainerExitWatcher _watcher;
    private readonly ConcurrentDictionary<string, TrackedRunner> _runners = new(StringComparer.Ordinal);
    // Containers of runners that died while the daemon went away: removed as soon as it answers again.
    private readonly ConcurrentDictionary<string, bool> _removeWhenBack = new(StringComparer.Ordinal);

    public DockerRunnerProvider(IDockerClient docker, DockerEndpoint endpoint, IOptions<DockerRunnerOptions> options, IOptions<RunnerOptions> runnerOptions,
        IConfiguration configuration, ILogger<DockerRunnerProvider> logger, RunnerPolicyEnvironment? policy = null)
    {
        _docker = docker;
        _endpoint = endpoint;
        _policy = policy;
        _configuration = configuration;
        _options = options.Value;
        _startTimeout = runnerOptions.Value.StartTimeout;
        _logger = logger;
        // Runner ports stay on loopback unless asked otherwise, when the daemon is this machine's.
        if (string.IsNullOrWhiteSpace(_options.BindIp))
        {
            _options.BindIp = endpoint.IsUnixSocket ? "127.0.0.1" : "0.0.0.0";
        }
        var announceHost = _options.AnnounceHost
            ?? (_options.BindIp is "0.0.0.0" or "::" ? null : _options.BindIp)
            ?? (endpoint.IsUnixSocket ? null : endpoint.Address.Host)
            ?? "127.0.0.1";
        _template = new RunnerContainerTemplate(_options, SeccompProfile.Load(_options.SeccompProfile), announceHost, configuration.AsEnumerable());
        _hostAddresses = DockerHostAddresses.Find(endpoint, announceHost, _template.PublicIp);
        var (first, last) = _options.ParsePortRange();
        // Probing a port by binding it only tells something when the daemon publishes on this very machine.
        if (!IPAddress.TryParse(_options.BindIp, out var bindIp))
        {
            throw new InvalidOperationException($"{DockerRunnerOptions.Section}:BindIp '{_options.BindIp}' is not an IP address");
        }
        _ports = new HostPortAllocator(first, last, endpoint.IsUnixSocket ? bindIp : null);
        _health = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2), UseProxy = false })
        {
            Timeout = TimeSpan.FromSeconds(5),
        };
        _watcher = new ContainerExitWatcher(docker, $"{_template.Label(RunnerContainerTemplate.OwnerLabel)}={_options.Owner}",
            OnContainerDiedAsync, CheckTrackedAsync, logger);
    }

    public string Name => ProviderName;

    public event Action<RunnerExit>? RunnerExited;

    /// <summary>Raised when the daemon answers again after its events stream was lost (and what died meanwhile is reported).</summary>
    public event Action? BackendRecovered;

    public async Task<RunnerInstance> StartAsync(RunnerStartRequest request, CancellationToken cancellationToken)
    {
        using var activity = SessionMetrics.Activities.StartActivity("runner.start");
        activity?.SetTag("runner.id", request.RunnerId);
        activity?.SetTag("runner.provider", ProviderName);
        if (request.Labels.TryGetValue("session", out var sessionId))
        {
            activity?.SetTag("session.id", sessionId);
        }
        if (_runners.ContainsKey(request.RunnerId))
        {
            throw new InvalidOperationException($"runner {request.RunnerId} already exists");
        }
        _watcher.EnsureStarted();
        var started = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var instance = await StartOnceAsync(request, cancellationToken);
                activity?.SetTag("runner.start_ms", started.ElapsedMilliseconds);
                _logger.LogInformation("Runner {RunnerId} healthy at {ControlUri} after {Elapsed} ms",
                    request.RunnerId, instance.ControlUri, started.ElapsedMilliseconds);
                return instance;
            }
            catch (PortTakenException e) when (attempt < StartAttempts)
            {
                _logger.LogInformation("Runner {RunnerId}: {Reason}; retrying with other ports", request.RunnerId, e.Message);
            }
            catch (PortTakenException e)
            {
                throw new RunnerStartException($"runner {request.RunnerId} failed to start: {e.Message}");
            }
            catch (Exception e) when (DockerFailure.Is(e, cancellationToken))
            {
                // The daemon refused or did not answer (create, list): same contract as any other start failure.
                var reason = DockerFailure.Describe(e, _endpoint);
                activity?.SetStatus(ActivityStatusCode.Error, reason);
                throw new RunnerStartException($"runner {request.RunnerId} failed to start: {reason}", e);
            }
            catch (Exception e)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                throw;
            }
        }
    }

    /// <summary>Removes the runner's container; a daemon that does not answer is an <see cref="IOException"/> naming it.</summary>
    public async Task StopAsync(string runnerId, CancellationToken cancellationToken)
    {
        try
        {
            await StopOnceAsync(runnerId, cancellationToken);
        }
        catch (Exception e) when (DockerFailure.Is(e, cancellationToken))
        {
            throw new IOException(DockerFailure.Describe(e, _endpoint), e);
        }
    }

    private async Task StopOnceAsync(string runnerId, CancellationToken cancellationToken)
    {
        if (_runners.TryRemove(runnerId, out var tracked))
        {
            tracked.Stopping = true;
            try
            {
                await RemoveAsync(tracked, cancellationToken);
            }
            catch (Exception e) when (DockerFailure.Is(e, cancellationToken))
            {
                _removeWhenBack[tracked.ContainerId] = true;   // no longer tracked: CheckTrackedAsync removes it when the daemon is back
                throw;
            }
            return;
        }
        // Not started by this instance (or already gone): find it by label, so stopping stays idempotent after a restart.
        var filter = new Dictionary<string, string?>(_template.OwnerFilter) { [_template.Label(RunnerContainerTemplate.RunnerLabel)] = runnerId };
        foreach (var container in await _docker.Containers.ListLabelledAsync(filter, includeStopped: true, cancellationToken))
        {
            await _docker.Containers.RemoveForcedAsync(container.ID, cancellationToken);
        }
    }

    /// <summary>
    /// This owner's running runner containers, each with its control URI and token from inspect; from now on their exits
    /// are reported. Containers of ours that no longer run are removed: nothing can adopt them. A daemon that does not
    /// answer is an <see cref="IOException"/> naming it, never an empty list.
    /// </summary>
    public async Task<IReadOnlyList<RunnerInstance>> ListAsync(CancellationToken cancellationToken)
    {
        _watcher.EnsureStarted();
        IList<ContainerListResponse> containers;
        try
        {
            containers = await _docker.Containers.ListLabelledAsync(_template.OwnerFilter, includeStopped: true, cancellationToken);
        }
        catch (Exception e) when (DockerFailure.Is(e, cancellationToken))
        {
            throw new IOException(DockerFailure.Describe(e, _endpoint), e);
        }
        var found = new List<RunnerInstance>();
        foreach (var container in containers)
        {
            var details = container.State == "running" ? await _docker.Containers.InspectOrNullAsync(container.ID, cancellationToken) : null;
            var instance = details is { State.Running: true } ? _template.ToInstance(details) : null;
            if (instance is null && _runners.Values.Any(r => r.ContainerId == container.ID && r.Ready))
            {
                // A runner of ours that stopped unseen (e.g. while the daemon restarted): report it, with why, as it goes.
                await OnContainerDiedAsync(container.ID);
                continue;
            }
            if (instance is null)
            {
                _logger.LogInformation("Removing leftover runner container {Container} ({State})", container.ID[..12], container.State);
                await _docker.Containers.RemoveForcedAsync(container.ID, cancellationToken);
                continue;
            }
            var tracked = _runners.GetOrAdd(instance.RunnerId, id => new TrackedRunner(id, container.ID, HeldPorts(container)) { Ready = true });
            if (tracked.ContainerId == container.ID)
            {
                found.Add(instance);
            }
        }
        return found;
    }

    public async ValueTask DisposeAsync()
    {
        // Containers stay for a restarted orchestrator to adopt (ListAsync), unless this deployment ends with its process.
        if (_options.RemoveOnShutdown)
        {
            await RemoveOwnedOnShutdownAsync();
        }
        await _watcher.DisposeAsync();
        _health.Dispose();
    }

    private async Task RemoveOwnedOnShutdownAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            var owned = await _docker.Containers.ListLabelledAsync(_template.OwnerFilter, includeStopped: true, timeout.Token);
            await Task.WhenAll(owned.Select(c => _docker.Containers.RemoveForcedAsync(c.ID, timeout.Token)));
            _logger.LogInformation("Removed {Count} runner containers of owner {Owner} on shutdown", owned.Count, _options.Owner);
        }
        catch (Exception e) when (DockerFailure.Is(e, CancellationToken.None) || e is OperationCanceledException)
        {
            _logger.LogWarning("Could not remove the runner containers of owner {Owner} on shutdown: {Reason}", _options.Owner, e.Message);
        }
    }

    private async Task<RunnerInstance> StartOnceAsync(RunnerStartRequest request, CancellationToken cancellationToken)
    {
        var held = await HeldPortsAsync(cancellationToken);
        var mediaPort = _ports.Reserve(held, ProtocolType.Udp);
        int? httpPort = null;
        try
        {
            httpPort = _options.UsesHostNetwork ? _ports.Reserve(held, ProtocolType.Tcp) : null;
        }
        catch
        {
            _ports.Release(mediaPort);
            throw;
        }
        var reservedPorts = httpPort is { } h ? new[] { mediaPort, h } : [mediaPort];
        var token = RandomNumberGenerator.GetHexString(64, lowercase: true);
        var spec = _template.CreateSpec(request, token, mediaPort, httpPort);
        // The URL policy defaults and egress allow/deny lists, as for process runners.
        var policy = _policy?.Build() ?? new Dictionary<string, string>();
        // And the Docker host's own addresses (DockerHostAddresses): the browser never reaches the machine it runs on;
        // and the disk quotas. Nothing else of the orchestrator's configuration: its secrets never reach a container.
        var env = policy.Concat(RunnerSettings.From(_configuration, RunnerSettings.DockerSections)).Select(e => $"{e.Key}={e.Value}")
            .Concat(DockerHostAddresses.Environment(_hostAddresses, policy.Keys.Count(k => k.StartsWith("Policy__Egress__DenyCidrs__", StringComparison.Ordinal))));
        foreach (var variable in env)
        {
            spec.Env.Add(variable);
        }

        CreateContainerResponse created;
        try
        {
            created = await _docker.Containers.CreateContainerAsync(spec, cancellationToken);
        }
        catch (Exception e)
        {
            Array.ForEach(reservedPorts, _ports.Release);
            if (e is DockerApiException { StatusCode: HttpStatusCode.NotFound } notFound && DockerFailure.DaemonMessage(notFound) is var message &&
                message.Contains("image", StringComparison.OrdinalIgnoreCase))
            {
                throw new RunnerStartException(
                    $"image {_options.Image} is not on the Docker daemon at {_endpoint} ({message}); build it from " +
                    "BrowserIsolation.Runner/Dockerfile and set Runner:Docker:Image", e);
            }
            throw;
        }

        var tracked = new TrackedRunner(request.RunnerId, created.ID, reservedPorts);
        if (!_runners.TryAdd(request.RunnerId, tracked))
        {
            await _docker.Containers.RemoveForcedAsync(created.ID, CancellationToken.None);
            Array.ForEach(reservedPorts, _ports.Release);
            throw new InvalidOperationException($"runner {request.RunnerId} already exists");
        }
        try
        {
            try
            {
                await _docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
            }
            catch (DockerApiException e) when (IsPortConflict(DockerFailure.DaemonMessage(e)))
            {
                throw new PortTakenException(DockerFailure.DaemonMessage(e));
            }
            var details = await _docker.Containers.InspectOrNullAsync(created.ID, cancellationToken)
                ?? throw new InvalidOperationException("the container vanished right after it started");
            var instance = _template.ToInstance(details)
                ?? throw new InvalidOperationException("the started container has no published HTTP port or address");
            await WaitHealthyAsync(tracked, instance, cancellationToken);
            tracked.Ready = true;
            return instance with { Labels = RunnerContainerTemplate.RequestLabels(request) };
        }
        catch (Exception e)
        {
            _runners.TryRemove(new KeyValuePair<string, TrackedRunner>(request.RunnerId, tracked));
            tracked.Stopping = true;
            var logTail = await LogTailAsync(created.ID);
            await RemoveAsync(tracked, CancellationToken.None);
            if (e is PortTakenException || e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            if (logTail.Any(l => IsPortConflict(l.Text)))
            {
                throw new PortTakenException("the runner could not bind its ports");
            }
            throw new RunnerStartException(StartFailure(request.RunnerId, created.ID, DockerFailure.Is(e, cancellationToken) ? DockerFailure.Describe(e, _endpoint) : e.Message, logTail), e);
        }
    }

    /// <summary>Polls <c>/health</c> with the runner's token until it answers 200, the container dies, or the start timeout passes.</summary>
    private async Task WaitHealthyAsync(TrackedRunner tracked, RunnerInstance instance, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var lastStateCheck = TimeSpan.Zero;
        string lastProblem = "no answer yet";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (tracked.Exited.Task.IsCompleted)
            {
                throw new InvalidOperationException(await ExitDescriptionAsync(tracked.ContainerId) + " before it became healthy");
            }
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(instance.ControlUri, "health"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", instance.Token);
                using var response = await _health.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                lastProblem = $"/health answered {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException || e is TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                lastProblem = e.Message;
            }
            if (waited.Elapsed - lastStateCheck >= StateCheckInterval)
            {
                // Events can lag or be down: ask the daemon directly now and then.
                lastStateCheck = waited.Elapsed;
                var details = await _docker.Containers.InspectOrNullAsync(tracked.ContainerId, cancellationToken);
                if (details is not { State.Running: true })
                {
                    tracked.Exited.TrySetResult();
                    continue;
                }
            }
            if (waited.Elapsed > _startTimeout)
            {
                throw new TimeoutException($"not healthy within {_startTimeout.TotalSeconds:0} s at {instance.ControlUri} ({lastProblem})");
            }
            await Task.WhenAny(Task.Delay(HealthPollInterval, cancellationToken), tracked.Exited.Task);
        }
    }

    private async Task OnContainerDiedAsync(string containerId)
    {
        var tracked = _runners.Values.FirstOrDefault(r => r.ContainerId == containerId);
        if (tracked is null)
        {
            return;
        }
        tracked.Exited.TrySetResult();
        if (tracked.Stopping || !tracked.Ready || !_runners.TryRemove(new KeyValuePair<string, TrackedRunner>(tracked.RunnerId, tracked)))
        {
            return; // being stopped on purpose, or still starting (StartAsync reports that failure itself)
        }
        tracked.Stopping = true;
        var reason = await ExitDescriptionAsync(containerId);
        var logTail = await LogTailAsync(containerId);
        _logger.LogWarning("Runner {RunnerId}: {Reason}; last log lines:\n{Logs}", tracked.RunnerId, reason, string.Join('\n', logTail));
        try
        {
            await RemoveAsync(tracked, CancellationToken.None);
        }
        catch (Exception e) when (DockerFailure.Is(e, CancellationToken.None))
        {
            // The session is told all the same; the container goes once the daemon answers (CheckTrackedAsync).
            _removeWhenBack[tracked.ContainerId] = true;
            _logger.LogInformation("Runner {RunnerId}'s container stays until the daemon answers: {Reason}", tracked.RunnerId, DockerFailure.Describe(e, _endpoint));
        }
        try
        {
            RunnerExited?.Invoke(new RunnerExit(tracked.RunnerId, reason));
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A RunnerExited handler failed for runner {RunnerId}", tracked.RunnerId);
        }
    }

    /// <summary>After a gap in the events stream: any tracked container that is no longer running died meanwhile.</summary>
    private async Task CheckTrackedAsync(CancellationToken cancellationToken)
    {
        foreach (var containerId in _removeWhenBack.Keys)
        {
            await _docker.Containers.RemoveForcedAsync(containerId, cancellationToken);
            _removeWhenBack.TryRemove(containerId, out _);
        }
        foreach (var tracked in _runners.Values.Where(r => r.Ready).ToList())
        {
            var details = await _docker.Containers.InspectOrNullAsync(tracked.ContainerId, cancellationToken);
            if (details is not { State.Running: true })
            {
                await OnContainerDiedAsync(tracked.ContainerId);
            }
        }
        try
        {
            BackendRecovered?.Invoke();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A BackendRecovered handler failed");
        }
    }

    private async Task<string> ExitDescriptionAsync(string containerId)
    {
        try
        {
            var details = await _docker.Containers.InspectOrNullAsync(containerId, CancellationToken.None);
            if (details is null)
            {
                return _watcher.LastGap is { To: null } ? DaemonRestarted($"container {containerId[..12]} is gone") : $"container {containerId[..12]} is gone";
            }
            var state = details.State;
            var why = state.OOMKilled ? " (out of memory)" : state.ExitCode == 137 ? " (killed)" : "";
            var error = string.IsNullOrEmpty(state.Error) ? "" : $": {state.Error}";
            var description = $"container {containerId[..12]} {state.Status} with code {state.ExitCode}{why}{error}";
            var finished = DateTimeOffset.TryParse(state.FinishedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null;
            return !state.OOMKilled && finished is { } f && _watcher.LastGap?.Covers(f) == true ? DaemonRestarted(description) : description;
        }
        catch (Exception e) when (DockerFailure.Is(e, CancellationToken.None))
        {
            // It died and the daemon stopped answering at once: the daemon shutting down stopped it.
            _logger.LogDebug("Runner container {Container} ended as the daemon stopped answering: {Reason}", containerId[..12], DockerFailure.Describe(e, _endpoint));
            return DaemonRestarted($"container {containerId[..12]} ended as the daemon stopped answering");
        }
    }

    /// <summary>A container that stopped while the daemon was away: without live-restore, a daemon restart stops them all.</summary>
    private string DaemonRestarted(string description) =>
        $"runner container stopped: the Docker daemon at {_endpoint} restarted or was unreachable meanwhile " +
        $"(without --live-restore a restart stops every container; {description})";

    private async Task<IReadOnlyList<ContainerLogLine>> LogTailAsync(string containerId)
    {
        try
        {
            return await ContainerLogLine.TailAsync(_docker.Containers, containerId, _options.LogLinesOnFailure, CancellationToken.None);
        }
        catch (Exception e) when (DockerFailure.Is(e, CancellationToken.None))
        {
            return [new ContainerLogLine(true, $"(logs unavailable: {DockerFailure.Describe(e, _endpoint)})")];
        }
    }

    private async Task RemoveAsync(TrackedRunner tracked, CancellationToken cancellationToken)
    {
        try
        {
            await _docker.Containers.RemoveForcedAsync(tracked.ContainerId, cancellationToken);
        }
        finally
        {
            Array.ForEach(tracked.Ports, _ports.Release);
        }
    }

    private async Task<IReadOnlySet<int>> HeldPortsAsync(CancellationToken cancellationToken)
    {
        // Any owner's runners: several orchestrators may share one daemon and its host ports.
        var all = new Dictionary<string, string?> { [_template.Label(RunnerContainerTemplate.RunnerLabel)] = null };
        var containers = await _docker.Containers.ListLabelledAsync(all, includeStopped: true, cancellationToken);
        return containers.SelectMany(_template.HeldPorts).ToHashSet();
    }

    private int[] HeldPorts(ContainerListResponse container) => [.. _template.HeldPorts(container)];

    private static string StartFailure(string runnerId, string containerId, string reason, IReadOnlyList<ContainerLogLine> logTail) =>
        logTail.Count == 0
            ? $"runner {runnerId} (container {containerId[..12]}) failed to start: {reason}; the container logged nothing"
            : $"runner {runnerId} (container {containerId[..12]}) failed to start: {reason}; last container log lines:\n{string.Join('\n', logTail)}";

    private static bool IsPortConflict(string message) =>
        message.Contains("port is already allocated", StringComparison.OrdinalIgnoreCase) ||
        message.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    private sealed class TrackedRunner(string runnerId, string containerId, int[] ports)
    {
        public string RunnerId { get; } = runnerId;
        public string ContainerId { get; } = containerId;
        /// <summary>Host ports this instance reserved for the container (released when it goes).</summary>
        public int[] Ports { get; } = ports;
        /// <summary>Completed once the container is known to have stopped.</summary>
        public TaskCompletionSource Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public volatile bool Ready;
        public volatile bool Stopping;
    }

    private sealed class PortTakenException(string message) : Exception(message);
}
