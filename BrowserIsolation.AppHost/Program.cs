// The whole platform under Aspire 13.5.2: `dotnet run --project BrowserIsolation.AppHost`, then watch traces, metrics and
// logs of the orchestrator and of every runner container in the dashboard. Written against the 13.5.2 API baseline only
// (../shared/notes/aspire.md): it cannot be restored on the offline build machine.
#pragma warning disable ASPIRECERTIFICATES001 // WithoutHttpsCertificate is experimental in 13.x
using System.Net.Sockets;

var builder = DistributedApplication.CreateBuilder(args);

// Sessions, shared by every orchestrator replica. Plain TCP: in run mode 13.x would put TLS on it with the dev certificate.
var redis = builder.AddRedis("sessions")
    .WithDataVolume()
    .WithPersistence(TimeSpan.FromSeconds(10))
    .WithoutHttpsCertificate();

// TURN REST credentials (coturn --use-auth-secret): the orchestrator signs short-lived logins with the same secret.
var turnSecret = builder.AddParameter("turn-secret", secret: true);

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
    // coturn on this machine: listens on UDP and TCP 3478 and relays media over 49160-49200/udp. Its rules (REST
    // credentials, no TCP relays, no relays to loopback/private/link-local peers) are the repository's
    // turn/turnserver.conf, the same file the docs give operators; only ports and the secret are set here.
    var turn = builder.AddContainer("turn", "coturn/coturn", "4.6")
        .WithEndpoint(port: 3478, targetPort: 3478, scheme: "turn", name: "turn-udp", isProxied: false, protocol: ProtocolType.Udp)
        .WithEndpoint(port: 3478, targetPort: 3478, scheme: "turn", name: "turn-tcp", isProxied: false, protocol: ProtocolType.Tcp)
        .WithContainerRuntimeArgs("-p", "49160-49200:49160-49200/udp")
        .WithBindMount("../turn/turnserver.conf", "/etc/coturn/turnserver.conf", isReadOnly: true)
        .WithArgs("-c", "/etc/coturn/turnserver.conf", "--log-file=stdout", "--listening-port=3478", "--min-port=49160", "--max-port=49200")
        .WithArgs(ReferenceExpression.Create($"--static-auth-secret={turnSecret}"));
    var turnUdp = turn.GetEndpoint("turn-udp");
    var turnTcp = turn.GetEndpoint("turn-tcp");

    // The runner image, built from its Dockerfile (the AppHost build publishes the runner into its context first).
    // Aspire builds it as a container resource; that container has nothing to run and exits at once, the orchestrator
    // starts one container per session from the image.
    var runnerImage = builder.AddDockerfile("runner-image", "../BrowserIsolation.Runner")
        .WithImageTag("dev")
        .WithEntrypoint("/usr/bin/true");
    if (!runnerImage.Resource.TryGetContainerImageName(out var runnerImageName))
    {
        throw new InvalidOperationException("the runner image has no name");
    }

    // On a Linux Docker engine the host network lets runner containers reach the dashboard's loopback OTLP endpoint
    // (and clients reach them at 127.0.0.1); Docker Desktop routes host.docker.internal from its bridge instead.
    var runnerNetwork = builder.Configuration["Runner:Docker:Network"] ?? (OperatingSystem.IsLinux() ? "host" : "bridge");
    orchestrator
        .WithEnvironment("Runner__Docker__Image", runnerImageName)
        .WithEnvironment("Runner__Docker__Network", runnerNetwork)
        .WithEnvironment("Runner__Docker__BindIp", "127.0.0.1")
        .WithEnvironment("Turn__Urls__0", ReferenceExpression.Create(
            $"turn:{turnUdp.Property(EndpointProperty.Host)}:{turnUdp.Property(EndpointProperty.Port)}?transport=udp"))
        .WithEnvironment("Turn__Urls__1", ReferenceExpression.Create(
            $"turn:{turnTcp.Property(EndpointProperty.Host)}:{turnTcp.Property(EndpointProperty.Port)}?transport=tcp"))
        .WaitForCompletion(runnerImage)
        .WaitFor(turn);
    if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } dockerHost)
    {
        orchestrator.WithEnvironment("Runner__Docker__Host", dockerHost);
    }
}
else
{
    // Azure Container Apps has no UDP ingress and no Docker daemon: TURN runs elsewhere (its URL is a parameter) and the
    // runners run on a Docker host the orchestrator reaches through DOCKER_HOST, with the runner image already pulled there.
    orchestrator
        .WithEnvironment("Turn__Urls__0", builder.AddParameter("turn-url"))
        .WithEnvironment("Runner__Docker__Host", builder.AddParameter("docker-host"))
        .WithEnvironment("Runner__Docker__Image", builder.AddParameter("runner-image"))
        .WithEnvironment("Runner__Docker__PublicIp", builder.AddParameter("runner-public-ip"));
}

builder.AddProject<Projects.BrowserIsolation_Web>("web")
    .WithHttpEndpoint(name: "http")
    .WithExternalHttpEndpoints()
    .WithReference(orchestrator)
    .WaitFor(orchestrator);

builder.Build().Run();
