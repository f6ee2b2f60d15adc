using System.Net;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>Join tokens across orchestrator replicas that share a Redis store and a signing key.</summary>
[Trait("Category", "Integration")]
[Trait("Category", "Security")]
public sealed class ReplicaTokenTests
{
    [Fact]
    public async Task ATokenIssuedOnOneReplicaWorksOnAnotherAndNotWithADifferentKey()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var site = await ContentSite.StartAsync();
        Dictionary<string, string> Settings(string signingKey) => new()
        {
            ["ConnectionStrings__sessions"] = redis.ConnectionString,
            ["Auth__ApiKeys__0"] = SecuredEnvironment.ApiKey,
            ["Auth__TokenSigningKey"] = signingKey,
        };
        await using var a = await OrchestratorProcess.StartAsync(Settings(SecuredEnvironment.SigningKey));
        await using var b = await OrchestratorProcess.StartAsync(Settings(SecuredEnvironment.SigningKey));
        await using var stranger = await OrchestratorProcess.StartAsync(Settings("a-different-signing-key-0123456789abcdef"));
        var onA = new SecurityApi(a);
        var onB = new SecurityApi(b);

        var (id, owner) = await onA.CreateReadyAsync(site.TitledPage("/replicas", "replicas"), SecuredEnvironment.ApiKey);
        var viewer = (await onA.IssueTokenAsync(id, owner, new { role = "viewer", displayName = "Vic" })).GetProperty("token").GetString()!;

        using (var socket = new SessionSocket(await onB.ConnectAsync(id, viewer)))
        {
            var hello = await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "hello", TimeSpan.FromSeconds(10), "hello");
            Assert.Equal("viewer", hello.GetProperty("role").GetString());
            Assert.Equal("Vic", hello.GetProperty("name").GetString());
        }
        var (status, body, _) = await onB.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/reload", bearer: viewer);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Forbidden, "role_forbidden");
        Assert.Equal(HttpStatusCode.OK, (await onB.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/reload", bearer: owner)).Status);

        (status, body, _) = await new SecurityApi(stranger).SendAsync(HttpMethod.Get, $"/api/sessions/{id}", bearer: viewer);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Equal(HttpStatusCode.NoContent, (await onB.SendAsync(HttpMethod.Delete, $"/api/sessions/{id}", bearer: owner)).Status);
    }
}
