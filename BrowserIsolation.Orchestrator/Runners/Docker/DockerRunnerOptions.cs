namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>Configuration section <c>Runner:Docker</c>, used when <c>Runner:Provider=docker</c>.</summary>
public sealed class DockerRunnerOptions
{
    public const string Section = "Runner:Docker";

    /// <summary>Daemon address (<c>unix:///path</c> or <c>tcp://host:port</c>); empty means the DOCKER_HOST variable, then the default socket.</summary>
    public string? Host { get; set; }

    /// <summary>The runner image (built from BrowserIsolation.Runner/Dockerfile). It must exist on the daemon: nothing is pulled.</summary>
    public string Image { get; set; } = "browserisolation-runner:latest";

    /// <summary>
    /// <c>bridge</c> (or any user-defined network): the HTTP port is published on a free host port and the media port on
    /// the same number it has inside. <c>host</c>: the runner binds ports from <see cref="PortRange"/> on the host itself.
    /// </summary>
    public string Network { get; set; } = "bridge";

    /// <summary>
    /// Host address the published ports bind to (bridge), or the runner binds its ports to (host network). Empty: 127.0.0.1
    /// for a local (unix://) daemon, 0.0.0.0 for a tcp:// one. Set it to an outside address for remote clients' WebRTC.
    /// </summary>
    public string BindIp { get; set; } = "";

    /// <summary>Host name or address the orchestrator reaches the runners' ports on; default: the DOCKER_HOST host, or 127.0.0.1.</summary>
    public string? AnnounceHost { get; set; }

    /// <summary>Address announced to clients in ICE candidates (NAT 1:1, <c>Media__PublicIp</c>); default: <see cref="AnnounceHost"/> if it is an IP.</summary>
    public string? PublicIp { get; set; }

    /// <summary>
    /// Reach the runner by its container address and internal port instead of published ports: for an orchestrator that
    /// runs in a container on the same user-defined network.
    /// </summary>
    public bool ReachContainerDirectly { get; set; }

    /// <summary>Host ports for the runners' UDP media port (and, on the host network, their HTTP port), as <c>first-last</c>.</summary>
    public string PortRange { get; set; } = "40000-40999";

    public long MemoryBytes { get; set; } = 1L << 30;

    /// <summary>CPU quota in billionths of a CPU (1e9 = one core).</summary>
    public long NanoCpus { get; set; } = 1_000_000_000;

    public long PidsLimit { get; set; } = 512;

    public long ShmSizeBytes { get; set; } = 1L << 30;

    /// <summary>Size of each tmpfs (<c>/tmp</c> and the home directory that holds Chromium's profile).</summary>
    public long TmpfsSizeBytes { get; set; } = 256L << 20;

    /// <summary>Path of a seccomp profile; empty means the one shipped in the repository (BrowserIsolation.Runner/seccomp.json).</summary>
    public string? SeccompProfile { get; set; }

    /// <summary>The image's non-root user. Chromium's sandbox needs a non-root user; root would need --no-sandbox.</summary>
    public string User { get; set; } = "1000:1000";

    /// <summary>The user's home inside the image; a tmpfs is mounted there (read-only root filesystem).</summary>
    public string HomeDirectory { get; set; } = "/home/runner";

    /// <summary>Prefix of every label the provider sets: <c>{prefix}.runner</c>, <c>{prefix}.owner</c>, ...</summary>
    public string LabelPrefix { get; set; } = "browserisolation";

    /// <summary>
    /// This deployment's name on the shared daemon: it lists, adopts and removes only containers it owns. Default: the host
    /// name and a hash of the orchestrator's install directory, so a restarted orchestrator adopts its runners and two
    /// deployments on one daemon never take each other's for leftovers. Replicas of one deployment on other hosts set it alike.
    /// </summary>
    public string Owner { get; set; } = DeploymentOwner();

    /// <summary>Remove this owner's runner containers when the orchestrator stops (the AppHost sets it); else they stay for adoption.</summary>
    public bool RemoveOnShutdown { get; set; }

    /// <summary>OTEL_SERVICE_NAME of the runners (the same name process runners report under).</summary>
    public string ServiceName { get; set; } = "browserisolation-runner";

    public int HttpPort { get; set; } = 8080;

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Container log lines quoted when a runner fails to start or dies.</summary>
    public int LogLinesOnFailure { get; set; } = 40;

    private static string DeploymentOwner()
    {
        var path = System.Text.Encoding.UTF8.GetBytes(AppContext.BaseDirectory);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(path))[..10];
        var host = new string([.. Environment.MachineName.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.').Take(40)]);
        return $"{host}-{hash}";
    }

    internal bool UsesHostNetwork => string.Equals(Network, "host", StringComparison.OrdinalIgnoreCase);

    internal (int First, int Last) ParsePortRange()
    {
        var parts = PortRange.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && int.TryParse(parts[0], out var first) && int.TryParse(parts[1], out var last) &&
            first is > 0 and <= 65535 && last >= first && last <= 65535)
        {
            return (first, last);
        }
        throw new InvalidOperationException($"{Section}:PortRange '{PortRange}' must look like 40000-40999");
    }
}
