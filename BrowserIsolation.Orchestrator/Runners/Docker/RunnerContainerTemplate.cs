using System.Globalization;
using System.Net;
using Docker.DotNet.Models;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>
/// How a runner maps onto a container and back: labels, environment, limits and ports on the way in
/// (<see cref="CreateSpec"/>), the <see cref="RunnerInstance"/> on the way out (<see cref="ToInstance"/>), so a restarted
/// orchestrator can adopt a container from what inspect shows.
/// </summary>
internal sealed class RunnerContainerTemplate
{
    // Labels the provider owns; request labels with these names are ignored.
    public const string RunnerLabel = "runner";
    public const string OwnerLabel = "owner";
    public const string ProviderLabel = "provider";
    public const string HttpPortLabel = "http-port";
    public const string MediaPortLabel = "media-port";
    private static readonly HashSet<string> OwnLabels = [RunnerLabel, OwnerLabel, ProviderLabel, HttpPortLabel, MediaPortLabel];

    private const string HostGateway = "host.docker.internal";

    private readonly DockerRunnerOptions _options;
    private readonly string _seccompJson;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _telemetryEnvironment;
    private readonly string? _resourceAttributes;

    public RunnerContainerTemplate(DockerRunnerOptions options, string seccompJson, string announceHost, IEnumerable<KeyValuePair<string, string?>> configuration)
    {
        _options = options;
        _seccompJson = seccompJson;
        AnnounceHost = announceHost;
        PublicIp = options.PublicIp ?? (IPAddress.TryParse(announceHost, out _) ? announceHost : null);
        var settings = configuration.ToList();
        _telemetryEnvironment = TelemetryEnvironment(settings);
        _resourceAttributes = settings.FirstOrDefault(c => c.Key == "OTEL_RESOURCE_ATTRIBUTES").Value;
    }

    /// <summary>Where the orchestrator reaches published (or host-network) ports.</summary>
    public string AnnounceHost { get; }

    /// <summary>The address runners announce to clients for media (NAT 1:1); null lets the runner pick.</summary>
    public string? PublicIp { get; }

    public string Label(string name) => $"{_options.LabelPrefix}.{name}";

    public IReadOnlyDictionary<string, string?> OwnerFilter => new Dictionary<string, string?>
    {
        [Label(OwnerLabel)] = _options.Owner,
        [Label(RunnerLabel)] = null,
    };

    public static string ContainerName(string runnerId) =>
        "bi-runner-" + new string([.. runnerId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-')]);

    /// <param name="mediaPort">UDP port the runner binds for WebRTC, published on the same host port.</param>
    /// <param name="httpPort">Host port of the runner's HTTP API on the host network; null on a bridge (published on any free port).</param>
    public CreateContainerParameters CreateSpec(RunnerStartRequest request, string token, int mediaPort, int? httpPort)
    {
        var hostNetwork = _options.UsesHostNetwork;
        var listenPort = httpPort ?? _options.HttpPort;
        var labels = new Dictionary<string, string>();
        foreach (var (key, value) in request.Labels)
        {
            if (!OwnLabels.Contains(key))
            {
                labels[Label(key)] = value;
            }
        }
        labels[Label(RunnerLabel)] = request.RunnerId;
        labels[Label(OwnerLabel)] = _options.Owner;
        labels[Label(ProviderLabel)] = DockerRunnerProvider.ProviderName;
        labels[Label(MediaPortLabel)] = mediaPort.ToString(CultureInfo.InvariantCulture);
        if (httpPort is { } p)
        {
            labels[Label(HttpPortLabel)] = p.ToString(CultureInfo.InvariantCulture);
        }

        var env = new List<string>
        {
            $"Runner__Id={request.RunnerId}",
            $"Runner__Token={token}",
            $"Runner__Width={request.Width}",
            $"Runner__Height={request.Height}",
            "Chromium__NoSandbox=false",
            $"Media__UdpPort={mediaPort}",
            $"ASPNETCORE_URLS=http://{(hostNetwork ? UrlHost(_options.BindIp) : "+")}:{listenPort}",
            $"HOME={_options.HomeDirectory}",
            $"OTEL_SERVICE_NAME={_options.ServiceName}",
        };
        if (PublicIp is not null)
        {
            env.Add($"Media__PublicIp={PublicIp}");
        }
        if (hostNetwork)
        {
            // On the host's own network the runner binds its media port where the HTTP port goes, not on every interface.
            env.Add($"Media__UdpBindAddress={_options.BindIp}");
        }
        foreach (var (key, value) in _telemetryEnvironment)
        {
            env.Add($"{key}={(key.EndsWith("_ENDPOINT", StringComparison.Ordinal) && !hostNetwork ? ThroughHostGateway(value) : value)}");
        }
        env.Add($"OTEL_RESOURCE_ATTRIBUTES={ResourceAttributes(request.RunnerId)}");

        var (uid, gid) = NumericUser(_options.User);
        var tmpfsOwner = uid is null ? ",mode=1777" : $",uid={uid},gid={gid},mode=0700";
        var mediaKey = $"{mediaPort}/udp";
        var httpKey = $"{listenPort}/tcp";
        return new CreateContainerParameters
        {
            Name = ContainerName(request.RunnerId),
            Image = _options.Image,
            User = _options.User,
            Env = env,
            Labels = labels,
            ExposedPorts = hostNetwork ? null : new Dictionary<string, EmptyStruct> { [httpKey] = default, [mediaKey] = default },
            StopTimeout = TimeSpan.FromSeconds(2),
            HostConfig = new HostConfig
            {
                NetworkMode = _options.Network,
                PortBindings = hostNetwork ? null : new Dictionary<string, IList<PortBinding>>
                {
                    [httpKey] = [new PortBinding { HostIP = _options.BindIp, HostPort = "" }],
                    [mediaKey] = [new PortBinding { HostIP = _options.BindIp, HostPort = mediaPort.ToString(CultureInfo.InvariantCulture) }],
                },
                Memory = _options.MemoryBytes,
                MemorySwap = _options.MemoryBytes,
                NanoCPUs = _options.NanoCpus,
                PidsLimit = _options.PidsLimit,
                ShmSize = _options.ShmSizeBytes,
                ReadonlyRootfs = true,
                Tmpfs = new Dictionary<string, string>
                {
                    ["/tmp"] = $"rw,nosuid,nodev,size={_options.TmpfsSizeBytes}",
                    [_options.HomeDirectory] = $"rw,nosuid,nodev,size={_options.TmpfsSizeBytes}{tmpfsOwner}",
                },
                SecurityOpt = ["no-new-privileges:true", $"seccomp={_seccompJson}"],
                CapDrop = ["ALL"],
                // tini as PID 1: Chromium re-parents helpers (crashpad) to PID 1, which must reap them.
                Init = true,
                ExtraHosts = hostNetwork ? null : [$"{HostGateway}:host-gateway"],
                LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = "10m", ["max-file"] = "2" } },
            },
        };
    }

    /// <summary>The runner a running container of ours is, or null when it lacks what adoption needs.</summary>
    public RunnerInstance? ToInstance(ContainerInspectResponse container)
    {
        var labels = container.Config?.Labels ?? new Dictionary<string, string>();
        if (!labels.TryGetValue(Label(RunnerLabel), out var runnerId) || container.EnvironmentValue("Runner__Token") is not { } token ||
            ControlUri(container) is not { } controlUri)
        {
            return null;
        }
        var prefix = _options.LabelPrefix + ".";
        var requestLabels = labels
            .Where(l => l.Key.StartsWith(prefix, StringComparison.Ordinal) && !OwnLabels.Contains(l.Key[prefix.Length..]))
            .ToDictionary(l => l.Key[prefix.Length..], l => l.Value);
        var startedAt = DateTimeOffset.TryParse(container.State?.StartedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.UnixEpoch;
        return new RunnerInstance(runnerId, controlUri, token, DockerRunnerProvider.ProviderName, startedAt, requestLabels);
    }

    /// <summary>Request labels as the provider stores them (its own names dropped), for the instance it returns.</summary>
    public static IReadOnlyDictionary<string, string> RequestLabels(RunnerStartRequest request) =>
        request.Labels.Where(l => !OwnLabels.Contains(l.Key)).ToDictionary(l => l.Key, l => l.Value);

    /// <summary>Ports of ours that containers hold (any owner): the host port range is shared on one daemon.</summary>
    public IEnumerable<int> HeldPorts(ContainerListResponse container)
    {
        foreach (var name in new[] { MediaPortLabel, HttpPortLabel })
        {
            if (container.Labels?.TryGetValue(Label(name), out var value) == true && int.TryParse(value, out var port))
            {
                yield return port;
            }
        }
    }

    private Uri? ControlUri(ContainerInspectResponse container)
    {
        if (_options.ReachContainerDirectly)
        {
            return container.IpAddress() is { } ip ? new Uri($"http://{UrlHost(ip)}:{_options.HttpPort}/") : null;
        }
        if (_options.UsesHostNetwork)
        {
            return container.Config?.Labels?.TryGetValue(Label(HttpPortLabel), out var value) == true && int.TryParse(value, out var port)
                ? new Uri($"http://{UrlHost(AnnounceHost)}:{port}/")
                : null;
        }
        return container.PublishedPort($"{_options.HttpPort}/tcp") is { } published ? new Uri($"http://{UrlHost(AnnounceHost)}:{published}/") : null;
    }

    /// <summary>
    /// The orchestrator's OTEL_* settings (Aspire sets the OTLP endpoint, headers and export intervals), passed through to
    /// every runner; the service name and resource attributes are the runner's own.
    /// </summary>
    private static List<KeyValuePair<string, string>> TelemetryEnvironment(IEnumerable<KeyValuePair<string, string?>> configuration) =>
        [.. configuration
            .Where(c => c.Key.StartsWith("OTEL_", StringComparison.Ordinal) && c.Key is not ("OTEL_SERVICE_NAME" or "OTEL_RESOURCE_ATTRIBUTES") &&
                !c.Key.Contains(':') && !string.IsNullOrEmpty(c.Value))
            .Select(c => new KeyValuePair<string, string>(c.Key, c.Value!))];

    private string ResourceAttributes(string runnerId)
    {
        // The orchestrator's own attributes (deployment, environment) apply to its runners, its instance id does not.
        var attributes = (_resourceAttributes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(a => !a.StartsWith("service.instance.id=", StringComparison.Ordinal) && !a.StartsWith("service.name=", StringComparison.Ordinal))
            .Append($"service.instance.id={runnerId}");
        return string.Join(',', attributes);
    }

    /// <summary>A loopback collector on the host is not loopback inside a bridged container: go through the host gateway.</summary>
    private static string ThroughHostGateway(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host == "localhost")
            ? new UriBuilder(uri) { Host = HostGateway }.Uri.ToString().TrimEnd('/')
            : endpoint;

    private static (string? Uid, string? Gid) NumericUser(string user)
    {
        var parts = user.Split(':');
        return parts[0].All(char.IsAsciiDigit) && parts[0].Length > 0
            ? (parts[0], parts.Length > 1 && parts[1].All(char.IsAsciiDigit) && parts[1].Length > 0 ? parts[1] : parts[0])
            : (null, null);
    }

    private static string UrlHost(string host) =>
        IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
}
