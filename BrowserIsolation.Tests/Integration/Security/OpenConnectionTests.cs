using System.Diagnostics;
using System.Net;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;
using BrowserIsolation.Tests.Integration.CoBrowse;
using static BrowserIsolation.Tests.Integration.CoBrowse.LiveSocket;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>An orchestrator with authentication on, the content site, and one real Chromium as a WebRTC viewer.</summary>
public sealed class OpenConnectionEnvironment() : AuthenticatedEnvironment(ApiKey, SigningKey, new Dictionary<string, string>())
{
    public const string ApiKey = "open-connections-api-key-0123456789";
    public const string SigningKey = "open-connections-signing-key-0123456789abcdef";
}

/// <summary>
/// What reaches connections that are already open: a join token's expiry closes its WebSocket and its WebRTC peer,
/// one client's flood of messages is refused without drowning the others' events, and a participant's peers are capped.
/// </summary>
[Trait("Category", "Security")]
public sealed class OpenConnectionTests(OpenConnectionEnvironment env) : IClassFixture<OpenConnectionEnvironment>
{
    private const string Key = OpenConnectionEnvironment.ApiKey;

    /// <summary>Negotiates with the viewer's token (bearer) and records when the DTLS transport closes (epoch ms).</summary>
    private const string Negotiate = """
        async ([id, token]) => {
          const auth = { authorization: 'Bearer ' + token };
          const ice = await (await fetch(`/api/sessions/${id}/ice`, { headers: auth })).json();
          const pc = new RTCPeerConnection({ iceServers: ice.iceServers });
          pc.addTransceiver('video', { direction: 'recvonly' });
          await pc.setLocalDescription(await pc.createOffer());
          await new Promise(r => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 1500); });
          const answer = await fetch(`/api/sessions/${id}/offer`, { method: 'POST', headers: { ...auth, 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
          if (!answer.ok) throw new Error('offer refused: ' + answer.status + ' ' + await answer.text());
          await pc.setRemoteDescription({ type: 'answer', sdp: await answer.text() });
          window.__pc = pc; window.__dtlsClosedAt = 0;
          const watch = () => {
            const t = pc.getReceivers()[0].transport;
            if (t && (t.state === 'closed' || t.state === 'failed')) { window.__dtlsClosedAt = Date.now(); return; }
            setTimeout(watch, 20);
          };
          watch();
        }
        """;

    [Fact]
    public async Task AnExpiredTokenClosesItsWebSocketAndItsWebRtcPeer()
    {
        var (id, owner) = await env.Api.CreateReadyAsync(env.Site.Page("/open-expiry", "<title>expiry</title><body style='background:#c00'>"), Key);
        var issued = await env.Api.IssueTokenAsync(id, owner, new { role = "viewer", displayName = "Brief", ttlSeconds = 8 });
        var token = issued.GetProperty("token").GetString()!;
        var expiresAt = issued.GetProperty("expiresAt").GetDateTimeOffset();

        await using var socket = await ConnectAsync(env.Orchestrator, id, token);
        await using var browser = await PlaywrightBrowser.LaunchAsync();
        var page = await browser.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(env.Orchestrator.BaseUri, "/health").AbsoluteUri);
        await page.EvaluateAsync(Negotiate, new[] { id, token });
        await Eventually(async () => await page.EvaluateAsync<string>("() => window.__pc.getReceivers()[0].transport?.state") == "connected",
            "the viewer's DTLS connected", TimeSpan.FromSeconds(15));
        Assert.True(DateTimeOffset.UtcNow < expiresAt - TimeSpan.FromSeconds(1), "the viewer connected too late to see the expiry");
        Assert.False(socket.Closed);

        // The token expires: the relay says why and closes; the runner ends the peer (DTLS close_notify).
        DateTimeOffset? socketClosedAt = null;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20) && (socketClosedAt is null || await page.EvaluateAsync<long>("() => window.__dtlsClosedAt") == 0))
        {
            if (socketClosedAt is null && socket.Closed)
            {
                socketClosedAt = DateTimeOffset.UtcNow;
            }
            await Task.Delay(20);
        }
        var dtlsClosedMs = await page.EvaluateAsync<long>("() => window.__dtlsClosedAt");
        Assert.True(socketClosedAt is not null, "the WebSocket stayed open after the token expired");
        Assert.True(dtlsClosedMs > 0, "the WebRTC peer stayed open after the token expired");
        var wsLate = socketClosedAt!.Value - expiresAt;
        var rtcLate = DateTimeOffset.FromUnixTimeMilliseconds(dtlsClosedMs) - expiresAt;
        Console.WriteLine($"token expired at {expiresAt:HH:mm:ss.fff}; WebSocket closed {wsLate.TotalMilliseconds:0} ms and WebRTC {rtcLate.TotalMilliseconds:0} ms after");
        Assert.True(wsLate > TimeSpan.FromMilliseconds(-50) && rtcLate > TimeSpan.FromMilliseconds(-50), "closed before the token expired");
        Assert.True(wsLate < TimeSpan.FromSeconds(2) && rtcLate < TimeSpan.FromSeconds(2), $"closed {wsLate.TotalMilliseconds:0} / {rtcLate.TotalMilliseconds:0} ms after expiry");
        var error = await socket.WaitAsync(e => Type(e) == "error", "the token_expired error");
        Assert.Equal("token_expired", error.GetProperty("code").GetString());
        Assert.Equal("token_expired", socket.Socket.CloseStatusDescription);
        Assert.Equal(HttpStatusCode.Unauthorized, await env.Api.RefusedConnectAsync(id, token));
    }

    [Fact]
    public async Task AFloodOfControlRequestsIsRefusedAndOthersStillGetTheirPolicyEvents()
    {
        var (id, owner) = await env.Api.CreateReadyAsync(env.Site.Page("/open-flood", "<title>flood</title>"), Key);
        var controller = (await env.Api.IssueTokenAsync(id, owner, new { role = "controller", displayName = "Flo" })).GetProperty("token").GetString()!;
        var viewer = (await env.Api.IssueTokenAsync(id, owner, new { role = "viewer", displayName = "Bea" })).GetProperty("token").GetString()!;
        await using var flooder = await ConnectAsync(env.Orchestrator, id, controller);
        await using var other = await ConnectAsync(env.Orchestrator, id, viewer);

        // A: 1000 control requests a second for three seconds, in steps of 10 every 10 ms.
        var sent = 0;
        var clock = Stopwatch.StartNew();
        var flood = Task.Run(async () =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(3))
            {
                for (var i = 0; i < 10; i++)
                {
                    await flooder.SendAsync(new { type = "control", action = "request" });
                    sent++;
                }
                var due = TimeSpan.FromMilliseconds(sent);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed);
                }
            }
        });

        // Halfway through, an operator changes the policy: B sees it within a second.
        await Task.Delay(1500);
        var mark = other.Mark();
        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/policy", new { popupsAsTabs = false }, Key);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var put = Stopwatch.StartNew();
        await other.WaitAsync(e => Type(e) == "policy" && !e.GetProperty("popupsAsTabs").GetBoolean(), "the policy event during the flood", mark,
            TimeSpan.FromSeconds(1));
        var policyMs = put.ElapsedMilliseconds;
        await flood;

        var refused = await flooder.WaitAsync(e => Type(e) == "error" && e.GetProperty("code").GetString() == "rate_limited", "rate_limited errors");
        Assert.Contains("messages per second", refused.GetProperty("message").GetString());
        await Task.Delay(300);
        var errors = flooder.Count(e => Type(e) == "error" && e.GetProperty("code").GetString() == "rate_limited");
        Console.WriteLine($"flooder sent {sent} control requests in {clock.ElapsedMilliseconds} ms, got {errors} rate_limited errors; " +
            $"the viewer got the policy event {policyMs} ms after the PUT answered");
        Assert.True(errors > sent / 10, $"only {errors} of {sent} requests were refused");
        Assert.False(flooder.Closed, "a three-second flood is refused, not disconnected");
        Assert.False(other.Closed);
    }

    [Fact]
    public async Task AParticipantsPeersAreCappedWithA429Problem()
    {
        var (id, owner) = await env.Api.CreateReadyAsync(env.Site.Page("/open-peers", "<title>peers</title>"), Key);
        var viewer = (await env.Api.IssueTokenAsync(id, owner, new { role = "viewer", displayName = "Many" })).GetProperty("token").GetString()!;
        var other = (await env.Api.IssueTokenAsync(id, owner, new { role = "viewer", displayName = "One" })).GetProperty("token").GetString()!;
        var offer = File.ReadAllText(Path.Combine(RepoPaths.Root, "BrowserIsolation.Tests", "Unit", "WebRtc", "Vectors", "chromium156-recvonly-video.sdp"));
        for (var i = 0; i < 4; i++)
        {
            var (ok, answer, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/offer", rawBody: offer, bearer: viewer, contentType: "application/sdp");
            Assert.True(ok == HttpStatusCode.OK, $"offer {i + 1}: {(int)ok} {answer}");
        }
        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/offer", rawBody: offer, bearer: viewer, contentType: "application/sdp");
        SecurityApi.AssertProblem(status, body, HttpStatusCode.TooManyRequests, "peer_limit");
        var (otherStatus, _, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/offer", rawBody: offer, bearer: other, contentType: "application/sdp");
        Assert.Equal(HttpStatusCode.OK, otherStatus);
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException(what);
    }
}
