using Xunit.Abstractions;
using System.Net;
using System.Text.RegularExpressions;
using BrowserIsolation.Orchestrator.Signaling;
using BrowserIsolation.Runner.WebRtc;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// Debian's coturn with the project's turn/turnserver.conf on loopback, and an orchestrator that hands out its
/// credentials. Test-only additions: <c>--allow-loopback-peers</c> (so coturn's own loopback default does not do the
/// refusing: the project's list must) and one explicitly allowed loopback peer, 127.0.0.2, as the control.
/// </summary>
public sealed class TurnEnvironment : IAsyncLifetime
{
    public const string ApiKey = "turn-api-key-0123456789abcdef";
    public const string Secret = "turn-test-secret-0123456789";

    public TurnServer Turn { get; private set; } = null!;

    public ContentSite Site { get; private set; } = null!;

    public OrchestratorProcess Orchestrator { get; private set; } = null!;

    public SecurityApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Turn = await TurnServer.StartAsync(Secret, "--allow-loopback-peers", "--allowed-peer-ip=127.0.0.2");
        Site = await ContentSite.StartAsync();
        Orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__0"] = ApiKey,
            ["Auth__TokenSigningKey"] = "turn-signing-key-0123456789abcdef-0123456789",
            ["RateLimits__Enabled"] = "false",
            ["Turn__Urls__0"] = $"turn:127.0.0.1:{Turn.Port}?transport=udp",
            ["Turn__Secret"] = Secret,
        });
        Api = new SecurityApi(Orchestrator);
    }

    public async Task DisposeAsync()
    {
        await Orchestrator.DisposeAsync();
        await Site.DisposeAsync();
        await Turn.DisposeAsync();
    }
}

/// <summary>TURN is egress the runners' guard never sees: coturn, as configured by the project, relays to public peers only.</summary>
[Trait("Category", "Security")]
public sealed class TurnRelayTests(TurnEnvironment env, ITestOutputHelper output) : IClassFixture<TurnEnvironment>
{
    [Fact]
    public async Task CoturnRefusesRelaysToLoopbackPrivateAndLinkLocalPeersWithTheParticipantsCredential()
    {
        var (id, owner) = await env.Api.CreateReadyAsync(env.Site.Page("/turn", "<title>turn</title>"), TurnEnvironment.ApiKey);
        var issued = await env.Api.IssueTokenAsync(id, owner, new { role = "viewer", displayName = "Tess", ttlSeconds = 120 });
        var token = issued.GetProperty("token").GetString()!;
        var participant = issued.GetProperty("participantId").GetString()!;
        var (status, ice, _) = await env.Api.SendAsync(HttpMethod.Get, $"/api/sessions/{id}/ice", bearer: token);
        Assert.Equal(HttpStatusCode.OK, status);
        var server = ice.GetProperty("iceServers").EnumerateArray().Single(s => s.TryGetProperty("username", out _));
        var username = server.GetProperty("username").GetString()!;
        var credential = server.GetProperty("credential").GetString()!;

        // Per participant, and never beyond the join token.
        var match = Regex.Match(username, @"^(\d+):(.+):(.+)$");
        Assert.True(match.Success, username);
        Assert.Equal(id, match.Groups[2].Value);
        Assert.Equal(participant, match.Groups[3].Value);
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(match.Groups[1].Value));
        Assert.True(expiry <= issued.GetProperty("expiresAt").GetDateTimeOffset(), $"credential until {expiry}, token until {issued.GetProperty("expiresAt")}");

        using var client = new TurnClient(env.Turn.EndPoint);
        var allocation = await client.AllocateAsync(username, credential);
        Assert.True(allocation.IsSuccessResponse, $"allocate: {allocation.Error} {env.Turn.Log}");

        foreach (var peer in new[] { "127.0.0.1", "10.0.0.1", "169.254.169.254", "172.16.0.1", "192.168.1.1", "100.64.0.1", "0.0.0.1", "224.0.0.1" })
        {
            var answer = await client.CreatePermissionAsync(IPAddress.Parse(peer));
            output.WriteLine($"CreatePermission {peer}: {(answer.IsSuccessResponse ? "success" : answer.Error?.ToString())}");
            Assert.True(answer.IsErrorResponse, $"coturn relays to {peer}");
            Assert.Equal((403, "Forbidden IP"), answer.Error);
        }
        // The refusals are the project's ranges (coturn names the range that matched), not coturn's own defaults.
        foreach (var (peer, range) in new[] { ("127.0.0.1", "127.0.0.0-127.255.255.255"), ("10.0.0.1", "10.0.0.0-10.255.255.255"),
                     ("169.254.169.254", "169.254.0.0-169.254.255.255") })
        {
            Assert.Contains($"A peer IP {peer} denied in the range: {range}", env.Turn.Log);
        }
        // Controls: a public address, and the loopback address this test allowed, are permitted (nothing is sent to them).
        foreach (var peer in new[] { "8.8.8.8", "127.0.0.2" })
        {
            var answer = await client.CreatePermissionAsync(IPAddress.Parse(peer));
            output.WriteLine($"CreatePermission {peer}: {(answer.IsSuccessResponse ? "success" : answer.Error?.ToString())}");
            Assert.True(answer.IsSuccessResponse, $"{peer}: {answer.Error}\n{string.Join('\n', env.Turn.Log.Split('\n').TakeLast(30))}");
        }
        Assert.Contains("--no-tcp-relay: TCP relay endpoints are not allowed", env.Turn.Log);
    }

    [Fact]
    public async Task AnExpiredOrForeignCredentialGetsNoAllocation()
    {
        var (expiredName, expiredPassword) = TurnCredentials.Create(TurnEnvironment.Secret, "s:p", DateTimeOffset.UtcNow.AddSeconds(-5));
        using (var client = new TurnClient(env.Turn.EndPoint))
        {
            var answer = await client.AllocateAsync(expiredName, expiredPassword);
            Assert.Equal(401, answer.Error?.Code);
        }
        var (name, _) = TurnCredentials.Create(TurnEnvironment.Secret, "s:p", DateTimeOffset.UtcNow.AddMinutes(5));
        var (_, forged) = TurnCredentials.Create("another-secret", "s:p", DateTimeOffset.UtcNow.AddMinutes(5));
        using (var client = new TurnClient(env.Turn.EndPoint))
        {
            var answer = await client.AllocateAsync(name, forged);
            Assert.Equal(401, answer.Error?.Code);
        }
    }
}
