using Docker.DotNet.Models;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Runners.Docker;

namespace BrowserIsolation.Tests.Unit.Docker;

public sealed class RunnerContainerTemplateTests
{
    private static readonly RunnerStartRequest Request = new("r-1", 1280, 720,
        new Dictionary<string, string> { ["session"] = "s-1", ["pool"] = "claimed", ["owner"] = "impostor" });

    [Fact]
    public void Default_owner_names_this_host_and_install_directory_not_a_shared_default()
    {
        var owner = new DockerRunnerOptions().Owner;

        Assert.Equal(owner, new DockerRunnerOptions().Owner); // stable: a restarted orchestrator adopts its runners
        Assert.NotEqual("default", owner);
        Assert.Matches("^[a-z0-9.-]+-[0-9a-f]{10}$", owner);
        Assert.StartsWith(Environment.MachineName.ToLowerInvariant()[..Math.Min(5, Environment.MachineName.Length)], owner);
    }

    [Fact]
    public void Bridge_spec_publishes_http_on_any_port_and_media_on_its_own_number()
    {
        var template = Template(new DockerRunnerOptions { BindIp = "127.0.0.1", Owner = "me" });

        var spec = template.CreateSpec(Request, "secret", mediaPort: 40007, httpPort: null);

        var bindings = spec.HostConfig!.PortBindings!;
        Assert.Equal([("127.0.0.1", "")], bindings["8080/tcp"].Select(b => (b.HostIP, b.HostPort)));
        Assert.Equal([("127.0.0.1", "40007")], bindings["40007/udp"].Select(b => (b.HostIP, b.HostPort)));
        Assert.Contains("Media__UdpPort=40007", spec.Env!);
        Assert.Contains("Media__PublicIp=127.0.0.1", spec.Env!);
        Assert.DoesNotContain(spec.Env!, e => e.StartsWith("Media__UdpBindAddress=", StringComparison.Ordinal)); // the container's own interfaces
        Assert.Contains("ASPNETCORE_URLS=http://+:8080", spec.Env!);
        Assert.Contains("Runner__Token=secret", spec.Env!);
        Assert.Equal("me", spec.Labels!["browserisolation.owner"]); // a request label cannot take over the provider's own
        Assert.Equal("s-1", spec.Labels["browserisolation.session"]);
        Assert.Equal(["host.docker.internal:host-gateway"], spec.HostConfig.ExtraHosts!);
    }

    [Fact]
    public void Host_network_spec_binds_the_given_ports_itself_and_records_them()
    {
        var template = Template(new DockerRunnerOptions { Network = "host", BindIp = "127.0.0.1" });

        var spec = template.CreateSpec(Request, "secret", mediaPort: 40001, httpPort: 40002);

        Assert.Null(spec.HostConfig!.PortBindings);
        Assert.Null(spec.ExposedPorts);
        Assert.Contains("ASPNETCORE_URLS=http://127.0.0.1:40002", spec.Env!);
        Assert.Contains("Media__UdpBindAddress=127.0.0.1", spec.Env!);
        Assert.Equal("40002", spec.Labels!["browserisolation.http-port"]);
        Assert.Equal("40001", spec.Labels["browserisolation.media-port"]);
    }

    [Fact]
    public void Telemetry_settings_pass_through_and_a_loopback_collector_goes_through_the_host_gateway()
    {
        var template = Template(new DockerRunnerOptions(), new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://localhost:18889",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-otlp-api-key=k",
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "http://127.0.0.1:18889/v1/traces",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=orchestrator-1,deployment.environment=dev",
            ["OTEL_SERVICE_NAME"] = "orchestrator",
        });

        var env = template.CreateSpec(Request, "t", 40000, null).Env!;

        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://host.docker.internal:18889", env);
        Assert.Contains("OTEL_EXPORTER_OTLP_HEADERS=x-otlp-api-key=k", env);
        Assert.Contains("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://host.docker.internal:18889/v1/traces", env);
        Assert.Contains("OTEL_METRIC_EXPORT_INTERVAL=1000", env);
        Assert.Single(env, e => e.StartsWith("OTEL_SERVICE_NAME=", StringComparison.Ordinal));
        Assert.Single(env, e => e.StartsWith("OTEL_RESOURCE_ATTRIBUTES=", StringComparison.Ordinal));
        Assert.Contains("OTEL_SERVICE_NAME=browserisolation-runner", env);
        Assert.Contains("OTEL_RESOURCE_ATTRIBUTES=deployment.environment=dev,service.instance.id=r-1", env);
    }

    [Fact]
    public void Adoption_reads_back_what_creation_wrote()
    {
        var template = Template(new DockerRunnerOptions { LabelPrefix = "bi" });
        var spec = template.CreateSpec(Request, "secret", 40000, null);
        var container = new ContainerInspectResponse
        {
            ID = "0123456789abcdef",
            State = new ContainerState { Status = "running", Running = true, StartedAt = "1970-01-01T00:00:00Z" },
            Config = new Config { Env = spec.Env, Labels = spec.Labels },
            NetworkSettings = new NetworkSettings
            {
                Ports = new Dictionary<string, IList<PortBinding>> { ["8080/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = "32768" }] },
            },
        };

        var instance = template.ToInstance(container)!;

        Assert.Equal("r-1", instance.RunnerId);
        Assert.Equal("secret", instance.Token);
        Assert.Equal(new Uri("http://127.0.0.1:32768/"), instance.ControlUri);
        Assert.Equal(new Dictionary<string, string> { ["session"] = "s-1", ["pool"] = "claimed" }, instance.Labels);
    }

    private static RunnerContainerTemplate Template(DockerRunnerOptions options, Dictionary<string, string?>? configuration = null) =>
        new(options, "{}", options.AnnounceHost ?? "127.0.0.1", configuration ?? []);
}
