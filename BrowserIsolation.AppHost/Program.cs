// The whole platform under Aspire 13.6: `dotnet run --project BrowserIsolation.AppHost`, then watch traces, metrics and
// logs of the orchestrator, Web and every runner container in the dashboard (docs/aspire.md).
#pragma warning disable ASPIRECERTIFICATES001 // WithoutHttpsCertificate is experimental in 13.x
using System.Net.Sockets;
using BrowserIsolation.AppHost.Health;
using BrowserIsolation.AppHost.LocalDocker;
using BrowserIsolation.AppHost.Turn;

var builder = DistributedApplication.CreateBuilder(args);
var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));

// Sessions, shared by every orchestrator replica. Plain TCP: in run mode 13.x would put TLS on it with the dev certificate.
var redis = builder.AddRedis("sessions")
    .WithDataVolume()
    .WithPersistence(TimeSpan.FromSeconds(10))
    .WithoutHttpsCertificate();

// TURN REST credentials (coturn --use-auth-secret): the orchestrator signs short-lived logins with the same secret.
// Generated unless set (user secrets Parameters:turn-secret, or azd's prompt), so a first `dotnet run` needs no setup.
var turnSecret = builder.AddParameter("turn-secret", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);

var orchestrator = builder.AddProject<Projects.BrowserIsolation_Orchestrator>("orchestrator")
    .WithHttpEndpoint(name: "http")
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithReference(redis)
    .WaitFor(redis)
    .WithEnvironment("Runner__Provider", "docker")
    .WithEnvironment("Turn__Secret", turnSecret);

if (builder.ExecutionContext.IsRunMode)
{
    // No registry and no buildx here: the project's own engine script, then every image built locally before DCP starts.
    var engine = new DockerEngineScript(repositoryRoot);
    var dockerHost = engine.Up();
    redis.WithLocalImage(new LocalImage("browserisolation-redis", "local", Path.Combine(builder.AppHostDirectory, "Images", "redis")), engine);

    // coturn on this machine: UDP and TCP 3478, relays over 49160-49200/udp published on the host. Its rules (REST
    // credentials, no TCP relays, no relays to loopback/private/link-local peers) are the repository's
    // turn/turnserver.conf, the same file the docs give operators; ports, the relay address and the secret are set here.
    var turn = builder.AddContainer("turn", "browserisolation-coturn", "local")
        .WithLocalImage(new LocalImage("browserisolation-coturn", "local", Path.Combine(builder.AppHostDirectory, "Images", "coturn")), engine)
        .WithEndpoint(port: CoturnArguments.ListeningPort, targetPort: CoturnArguments.ListeningPort, scheme: "turn", name: "turn-udp", isProxied: false, protocol: ProtocolType.Udp)
        .WithEndpoint(port: CoturnArguments.ListeningPort, targetPort: CoturnArguments.ListeningPort, scheme: "turn", name: "turn-tcp", isProxied: false, protocol: ProtocolType.Tcp)
        .WithContainerRuntimeArgs("-p", $"{CoturnArguments.MinRelayPort}-{CoturnArguments.MaxRelayPort}:{CoturnArguments.MinRelayPort}-{CoturnArguments.MaxRelayPort}/udp")
        .WithBindMount(Path.Combine(repositoryRoot, "turn", "turnserver.conf"), CoturnArguments.ConfigPath, isReadOnly: true)
        .WithArgs(CoturnArguments.Flags(builder.Configuration["Turn:ExternalIp"] ?? "127.0.0.1"))
        .WithArgs(ReferenceExpression.Create($"--static-auth-secret={turnSecret}"));
    var turnUdp = turn.GetEndpoint("turn-udp");
    var turnTcp = turn.GetEndpoint("turn-tcp");

    // The runner image: the AppHost build publishes the runner into BrowserIsolation.Runner/bin/image first. The
    // orchestrator starts one container per session from it.
    var runnerImage = new LocalImage("browserisolation-runner", "apphost", Path.Combine(repositoryRoot, "BrowserIsolation.Runner"));
    builder.AddLocalImageBuild(runnerImage, engine);

    // On a Linux Docker engine the host network lets runner containers reach the dashboard's loopback OTLP endpoint
    // (and clients reach them at 127.0.0.1); Docker Desktop routes host.docker.internal from its bridge instead.
    var runnerNetwork = builder.Configuration["Runner:Docker:Network"] ?? (OperatingSystem.IsLinux() ? "host" : "bridge");
    orchestrator
        .WithEnvironment("Runner__Docker__Host", dockerHost)
        .WithEnvironment("Runner__Docker__Image", runnerImage.Reference)
        .WithEnvironment("Runner__Docker__Network", runnerNetwork)
        .WithEnvironment("Runner__Docker__BindIp", "127.0.0.1")
        // One owner per AppHost run: another deployment on the same daemon never takes these runners for leftovers,
        // and this one removes its own when it stops.
        .WithEnvironment("Runner__Docker__Owner", builder.Configuration["Runner:Docker:Owner"] ?? $"apphost-{Guid.NewGuid():N}"[..20])
        .WithEnvironment("Runner__Docker__RemoveOnShutdown", "true")
        .WithEnvironment("Turn__Urls__0", ReferenceExpression.Create(
            $"turn:{turnUdp.Property(EndpointProperty.Host)}:{turnUdp.Property(EndpointProperty.Port)}?transport=udp"))
        .WithEnvironment("Turn__Urls__1", ReferenceExpression.Create(
            $"turn:{turnTcp.Property(EndpointProperty.Host)}:{turnTcp.Property(EndpointProperty.Port)}?transport=tcp"))
        .WaitFor(turn);
}
else
{
    // Azure Container Apps has no UDP ingress and no Docker daemon: TURN runs elsewhere (its URL is a parameter) and the
    // runners run on a Docker host the orchestrator reaches through DOCKER_HOST, with the runner image already pulled there.
    orchestrator
        .WithEnvironment("Turn__Urls__0", builder.AddParameter("turn-url"))
        .WithEnvironment("Runner__Docker__Host", builder.AddParameter("docker-host"))
        .WithEnvironment("Runner__Docker__Image", builder.AddParameter("runner-image"))
        .WithEnvironment("Runner__Docker__PublicIp", builder.AddParameter("runner-public-ip"))
        // Every replica of this deployment shares one owner (they adopt each other's runners); another deployment on the
        // same Docker host gets its own generated value, so neither takes the other's runners for leftovers.
        .WithEnvironment("Runner__Docker__Owner", builder.AddParameter("runner-owner", new GenerateParameterDefault { MinLength = 16, Special = false, Upper = false }));
}

builder.AddProject<Projects.BrowserIsolation_Web>("web")
    .WithHttpEndpoint(name: "http")
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/")
    .WithReference(orchestrator)
    .WaitFor(orchestrator);

builder.AddStartupReport();
builder.Build().Run();
