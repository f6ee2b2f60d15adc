using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>API keys, join tokens (session, role, lifetime), origins, and limits, against a real orchestrator and runners.</summary>
[Trait("Category", "Integration")]
[Trait("Category", "Security")]
public sealed class AuthTests(SecuredEnvironment env) : IClassFixture<SecuredEnvironment>
{
    private const string Key = SecuredEnvironment.ApiKey;

    [Fact]
    public async Task TheApiNeedsAValidApiKey()
    {
        var (status, body, response) = await env.Api.SendAsync(HttpMethod.Post, "/api/sessions", new { url = env.Site.Url("/x") });
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Unauthorized, "api_key_required");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Get, "/api/sessions", bearer: "not-the-key");
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Unauthorized, "invalid_api_key");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Get, "/api/sessions/whatever");
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Unauthorized, "api_key_required");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Get, "/api/sessions", bearer: Key);
        Assert.Equal(HttpStatusCode.OK, status);
        // The UI itself is public: it needs a token to do anything.
        Assert.Equal(HttpStatusCode.OK, (await env.Orchestrator.Http.GetAsync("/")).StatusCode);
        Assert.Contains("Authentication is on", env.Orchestrator.Output);
    }

    [Fact]
    public async Task JoinTokensWorkOnlyForTheirSessionRoleAndLifetime()
    {
        var page = env.Site.Page("/click", TestSite.Pages.All[TestSite.Pages.ClickToBlue]);
        var (a, ownerA) = await env.Api.CreateReadyAsync(page, Key);
        var (b, ownerB) = await env.Api.CreateReadyAsync(env.Site.TitledPage("/b", "b"), Key);

        // Streaming needs a token for that very session; an API key is not one.
        Assert.Equal(HttpStatusCode.Unauthorized, await env.Api.RefusedConnectAsync(a, null));
        Assert.Equal(HttpStatusCode.Forbidden, await env.Api.RefusedConnectAsync(a, ownerB));
        Assert.Equal(HttpStatusCode.Unauthorized, await env.Api.RefusedConnectAsync(a, ownerA[..^3] + (ownerA[^3] == 'A' ? "BBB" : "AAA")));
        Assert.Equal(HttpStatusCode.Unauthorized, await env.Api.RefusedConnectAsync(a, "bi1.garbage"));
        using (var withKey = new ClientWebSocket())
        {
            withKey.Options.SetRequestHeader("Authorization", "Bearer " + Key);
            withKey.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => withKey.ConnectAsync(
                new UriBuilder(env.Orchestrator.BaseUri) { Scheme = "ws", Path = $"/ws/sessions/{a}" }.Uri, CancellationToken.None));
            Assert.Equal(HttpStatusCode.Unauthorized, withKey.HttpStatusCode);
        }
        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Get, $"/api/sessions/{a}/tabs", bearer: ownerB);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Forbidden, "token_for_other_session");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Get, "/api/sessions", bearer: ownerA);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Forbidden, "api_key_required");

        // A viewer watches: frames yes, input no, navigation no.
        var viewer = await env.Api.IssueTokenAsync(a, ownerA, new { role = "viewer", displayName = "Val" });
        Assert.Equal("viewer", viewer.GetProperty("role").GetString());
        Assert.Contains($"/?session={a}&token=", viewer.GetProperty("joinUrl").GetString());
        var viewerToken = viewer.GetProperty("token").GetString()!;
        using (var watching = new SessionSocket(await env.Api.ConnectAsync(a, viewerToken)))
        {
            var hello = await watching.WaitForEventAsync(e => e.GetProperty("type").GetString() == "hello", TimeSpan.FromSeconds(10), "hello");
            Assert.Equal("viewer", hello.GetProperty("role").GetString());
            Assert.Equal("Val", hello.GetProperty("name").GetString());
            await watching.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 255, 0, 0), TimeSpan.FromSeconds(15), "red");
            await watching.SendJsonAsync(new { type = "mousedown", x = 100, y = 100, button = "left", clickCount = 1 });
            var refused = await watching.WaitForEventAsync(e => e.GetProperty("type").GetString() == "error", TimeSpan.FromSeconds(10), "an error");
            Assert.Equal("forbidden", refused.GetProperty("code").GetString());
        }
        await Task.Delay(500);
        Assert.Equal("click", SecurityApi.Active(await env.Api.TabsAsync(a, viewerToken)).GetProperty("title").GetString());
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{a}/navigate", new { url = env.Site.Url("/b") }, viewerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Forbidden, "role_forbidden");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{a}/tokens", new { role = "viewer" }, viewerToken);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Forbidden, "role_forbidden");

        // A controller drives; an owner invites controllers and viewers but not owners.
        var controller = (await env.Api.IssueTokenAsync(a, ownerA, new { role = "controller" })).GetProperty("token").GetString()!;
        using (var driving = new SessionSocket(await env.Api.ConnectAsync(a, controller)))
        {
            await driving.SendJsonAsync(new { type = "mousedown", x = 100, y = 100, button = "left", clickCount = 1 });
            await driving.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 0, 0, 255), TimeSpan.FromSeconds(15), "blue after the controller's click");
        }
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{a}/tokens", new { role = "owner" }, ownerA);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Forbidden, "role_forbidden");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{a}/tokens", new { role = "admin" }, Key);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.BadRequest, "invalid_role");

        // Tokens expire.
        var brief = (await env.Api.IssueTokenAsync(a, Key, new { role = "controller", ttlSeconds = 1 })).GetProperty("token").GetString()!;
        await Task.Delay(2200);
        Assert.Equal(HttpStatusCode.Unauthorized, await env.Api.RefusedConnectAsync(a, brief));
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Get, $"/api/sessions/{a}", bearer: brief);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Unauthorized, "invalid_token");

        // An ended session's tokens are worth nothing.
        Assert.Equal(HttpStatusCode.NoContent, (await env.Api.SendAsync(HttpMethod.Delete, $"/api/sessions/{b}", bearer: ownerB)).Status);
        Assert.NotEqual(HttpStatusCode.SwitchingProtocols, await env.Api.RefusedConnectAsync(b, ownerB));
        await env.Api.SendAsync(HttpMethod.Delete, $"/api/sessions/{a}", bearer: Key);
    }

    [Fact]
    public async Task CrossSiteOriginsAreRefused()
    {
        var (id, owner) = await env.Api.CreateReadyAsync(env.Site.TitledPage("/origin", "origin"), Key);
        Assert.Equal(HttpStatusCode.Forbidden, await env.Api.RefusedConnectAsync(id, owner, "https://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, await env.Api.RefusedConnectAsync(id, owner, "null"));
        using (await env.Api.ConnectAsync(id, owner, "https://embedder.example"))
        {
        }
        using (await env.Api.ConnectAsync(id, owner, env.Orchestrator.BaseUri.GetLeftPart(UriPartial.Authority)))
        {
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{id}/reload");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", owner);
        request.Headers.Add("Origin", "https://evil.example");
        var response = await env.Orchestrator.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("origin_not_allowed", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TokensPerSessionSessionsPerKeyAndRequestRateAreLimited()
    {
        await using var site = await ContentSite.StartAsync();
        await using var orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__0"] = Key,
            ["Auth__ApiKeys__1"] = "second-key-0123456789abcdef",
            ["Auth__MaxTokensPerSession"] = "3",
            ["Auth__MaxSessionsPerApiKey"] = "1",
            ["RateLimits__Enabled"] = "true",
            ["RateLimits__RequestsPerSecond"] = "5",
            ["RateLimits__Burst"] = "10",
        });
        var api = new SecurityApi(orchestrator);
        var (id, owner) = await api.CreateReadyAsync(site.TitledPage("/limits", "limits"), Key);
        await api.IssueTokenAsync(id, Key, new { role = "viewer" });
        await api.IssueTokenAsync(id, Key, new { role = "viewer" });
        var (status, body, _) = await api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/tokens", new { role = "viewer" }, Key);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.TooManyRequests, "token_limit");

        (status, body, _) = await api.SendAsync(HttpMethod.Post, "/api/sessions", new { url = site.Url("/limits") }, Key);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.TooManyRequests, "session_quota");
        (status, body, _) = await api.SendAsync(HttpMethod.Post, "/api/sessions", new { url = site.Url("/limits") }, "second-key-0123456789abcdef");
        Assert.True(status == HttpStatusCode.Created, body.ToString());

        await Task.Delay(2200); // a full bucket
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 40; i++)
        {
            statuses.Add((await api.SendAsync(HttpMethod.Get, $"/api/sessions/{id}", bearer: owner)).Response);
        }
        var limited = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(limited.Count > 0, "40 requests at once were never rate limited");
        Assert.True(statuses.Count(r => r.StatusCode == HttpStatusCode.OK) >= 10, "the burst was not honoured");
        Assert.NotNull(limited[0].Headers.RetryAfter);
        Assert.Contains("rate_limited", await limited[0].Content.ReadAsStringAsync());
        // Another caller has its own budget.
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Get, "/api/sessions", bearer: Key)).Status);
    }

    [Fact]
    public async Task WithoutApiKeysTheServerStaysOnLoopback()
    {
        foreach (var (args, env2) in new (string[] Args, string? Env)[]
        {
            (["--urls", "http://192.0.2.10:0"], null),
            (["--urls", "http://127.0.0.1:0;http://192.0.2.10:0"], null),
            ([], "HTTP_PORTS"),
        })
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { "exec", RepoPaths.OrchestratorDll }.Concat(args))
            {
                start.ArgumentList.Add(arg);
            }
            start.Environment.Remove("ASPNETCORE_URLS");
            start.Environment.Remove("PORT");
            if (env2 is not null)
            {
                start.Environment[env2] = "0";
            }
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(30_000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the orchestrator started without API keys on {string.Join(' ', args)} {env2}");
            }
            Assert.Equal(2, process.ExitCode);
            Assert.Contains("Refusing to start: authentication is off", await stderr);
        }

        // Loopback without keys: it runs, says so, and answers loopback host names only (DNS rebinding) and same-origin writes only.
        await using var open = await OrchestratorProcess.StartAsync();
        Assert.Contains("Authentication is OFF", open.Output);
        using var rebinding = new HttpRequestMessage(HttpMethod.Get, "/api/sessions");
        rebinding.Headers.Host = "attacker.example:" + open.BaseUri.Port;
        var refused = await open.Http.SendAsync(rebinding);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("host_not_allowed", await refused.Content.ReadAsStringAsync());
        using var csrf = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = new StringContent("{\"url\":\"https://example.com\"}") };
        csrf.Headers.Add("Origin", "http://attacker.example");
        var forged = await open.Http.SendAsync(csrf);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await open.Http.GetAsync("/api/sessions")).StatusCode);
    }
}
