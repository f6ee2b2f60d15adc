using System.Net;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// Every orchestrator endpoint, as an attacker would try it with authentication on: no credential, a wrong key, a forged
/// token, a viewer's token where more is needed, another session's owner token; each in many spellings of the path
/// (case, dot segments, double slashes, percent-encoded letters, trailing slashes) and WebSocket upgrades. Every answer
/// must be 401, 403 or 404, and nothing may change: no session created or ended, no token issued, no navigation.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Security")]
public sealed class BypassTests(SecuredEnvironment env, ITestOutputHelper output) : IClassFixture<SecuredEnvironment>
{
    private const string Key = SecuredEnvironment.ApiKey;

    /// <summary>An endpoint template (literal segments and {id}/{other} placeholders), a body, and the weakest role that may call it.</summary>
    private sealed record Target(string Method, string Template, string? Body, string? MinimumRole);

    private static IEnumerable<Target> Targets(string url) =>
    [
        new("GET", "/api/sessions", null, null),
        new("POST", "/api/sessions", $$"""{"url":"{{url}}"}""", null),
        new("GET", "/api/pool", null, null),
        new("GET", "/api/nothing-here", null, null),
        new("GET", "/api/sessions/{id}", null, "viewer"),
        new("DELETE", "/api/sessions/{id}", null, "owner"),
        new("POST", "/api/sessions/{id}/tokens", """{"role":"owner"}""", "owner"),
        new("POST", "/api/sessions/{id}/navigate", $$"""{"url":"{{url}}?moved"}""", "controller"),
        new("POST", "/api/sessions/{id}/back", null, "controller"),
        new("POST", "/api/sessions/{id}/forward", null, "controller"),
        new("POST", "/api/sessions/{id}/reload", null, "controller"),
        new("POST", "/api/sessions/{id}/reset", null, "owner"),
        new("GET", "/api/sessions/{id}/tabs", null, "viewer"),
        new("POST", "/api/sessions/{id}/tabs", null, "controller"),
        new("DELETE", "/api/sessions/{id}/tabs/T1", null, "controller"),
        new("POST", "/api/sessions/{id}/tabs/T1/activate", null, "controller"),
        new("GET", "/api/sessions/{id}/policy", null, "viewer"),
        new("PUT", "/api/sessions/{id}/policy", """{"allow":["*"]}""", null),
        new("GET", "/api/sessions/{id}/participants", null, "viewer"),
        new("PUT", "/api/sessions/{id}/participants/{other}", """{"role":"owner"}""", "owner"),
        new("DELETE", "/api/sessions/{id}/participants/{other}", null, "owner"),
        new("POST", "/api/sessions/{id}/participants/{other}/control", null, "owner"),
        new("DELETE", "/api/sessions/{id}/participants/{other}/control", null, "owner"),
        new("GET", "/api/sessions/{id}/control", null, "viewer"),
        new("PUT", "/api/sessions/{id}/control", """{"mode":"free"}""", "owner"),
        new("POST", "/api/sessions/{id}/uploads/0a1b", null, "controller"),
        new("DELETE", "/api/sessions/{id}/uploads/0a1b", null, "controller"),
        new("POST", "/api/sessions/{id}/offer", "v=0", "viewer"),
        new("GET", "/api/sessions/{id}/ice", null, "viewer"),
        new("GET", "/ws/sessions/{id}", null, "viewer"),
        new("GET", "/ws/other", null, null),
    ];

    /// <summary>Spellings of a template's literal segments that routing or Kestrel may fold into the canonical path.</summary>
    private static IEnumerable<(string Name, string Path)> Spellings(string template, string id, string other)
    {
        string Build(Func<string, int, string> literal, string separator = "/", string prefix = "", string suffix = "")
        {
            var segments = template.Trim('/').Split('/');
            var parts = segments.Select((s, i) => s == "{id}" ? id : s == "{other}" ? other : literal(s, i));
            return prefix + "/" + string.Join(separator, parts) + suffix;
        }
        yield return ("canonical", Build((s, _) => s));
        yield return ("upper", Build((s, _) => s.ToUpperInvariant()));
        yield return ("first upper", Build((s, i) => i == 0 ? s.ToUpperInvariant() : s));
        yield return ("title case", Build((s, _) => char.ToUpperInvariant(s[0]) + s[1..]));
        yield return ("mixed", Build((s, _) => new string([.. s.Select((c, j) => j % 2 == 0 ? char.ToUpperInvariant(c) : c)])));
        yield return ("dot segment", Build((s, i) => i == 0 ? s + "/." : s));
        yield return ("leading dot segment", Build((s, _) => s, prefix: "/."));
        yield return ("parent segment", Build((s, i) => i == 0 ? s + "/x/.." : s));
        yield return ("encoded dot segment", Build((s, i) => i == 0 ? s + "/%2e" : s));
        yield return ("double slash", Build((s, _) => s, separator: "//"));
        yield return ("leading double slash", Build((s, _) => s, prefix: "/"));
        yield return ("percent-encoded letter", Build((s, _) => $"%{(int)s[0]:x2}{s[1..]}"));
        yield return ("percent-encoded upper", Build((s, _) => $"%{(int)char.ToUpperInvariant(s[0]):X2}{s[1..].ToUpperInvariant()}"));
        yield return ("trailing slash", Build((s, _) => s, suffix: "/"));
        yield return ("trailing dot", Build((s, _) => s, suffix: "/."));
    }

    [Fact]
    public async Task NoEndpointAnswersWithoutTheRightCredentialInAnySpelling()
    {
        var url = env.Site.TitledPage("/bypass", "bypass");
        var (a, ownerA) = await env.Api.CreateReadyAsync(url, Key);
        var (b, ownerB) = await env.Api.CreateReadyAsync(url, Key);
        var viewerA = (await env.Api.IssueTokenAsync(a, Key, new { role = "viewer" })).GetProperty("token").GetString()!;
        var controller = await env.Api.IssueTokenAsync(a, Key, new { role = "controller" });
        var other = controller.GetProperty("participantId").GetString()!;
        var before = await SnapshotAsync(a);

        var credentials = new (string Name, string? Header, string? MinimumRoleHeld)[]
        {
            ("no credential", null, null),
            ("wrong API key", "Authorization: Bearer wrong-key-0123456789abcdef", null),
            ("lower-case bearer with a wrong key", "authorization: bearer wrong-key-0123456789abcdef", null),
            ("forged token", "Authorization: Bearer bi1.eyJzIjoiYSJ9.AAAA", null),
            ("viewer of the session", $"Authorization: Bearer {viewerA}", "viewer"),
            ("owner of another session", $"Authorization: Bearer {ownerB}", "none"),
        };
        var tried = 0;
        var byStatus = new Dictionary<int, int>();
        var bypasses = new List<string>();
        foreach (var target in Targets(url))
        {
            foreach (var (credential, header, held) in credentials)
            {
                // A viewer may do what viewers do; everything else must be refused.
                if (held == "viewer" && target.MinimumRole == "viewer")
                {
                    continue;
                }
                foreach (var (spelling, path) in Spellings(target.Template, a, other))
                {
                    foreach (var upgrade in new[] { false, true })
                    {
                        var headers = new List<string>();
                        if (header is not null)
                        {
                            headers.Add(header);
                        }
                        if (upgrade)
                        {
                            headers.AddRange(["Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]);
                        }
                        var answer = await RawHttp.SendAsync(env.Orchestrator.BaseUri, target.Method, path, headers, target.Body);
                        tried++;
                        byStatus[answer.Status] = byStatus.GetValueOrDefault(answer.Status) + 1;
                        if (answer.Status is not (401 or 403 or 404))
                        {
                            bypasses.Add($"{target.Method} {path} ({spelling}, {credential}{(upgrade ? ", upgrade" : "")}): {answer.Status} {Truncate(answer.Body)}");
                        }
                    }
                }
            }
        }
        // The WebSocket's query token, on every spelling of the stream path.
        foreach (var (spelling, path) in Spellings("/ws/sessions/{id}", a, other))
        {
            foreach (var (name, query) in new[] { ("no token", ""), ("forged token", "?token=bi1.eyJzIjoiYSJ9.AAAA"), ("other session's token", $"?token={Uri.EscapeDataString(ownerB)}"), ("API key as token", $"?token={Key}") })
            {
                var answer = await RawHttp.SendAsync(env.Orchestrator.BaseUri, "GET", path + query,
                    ["Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]);
                tried++;
                byStatus[answer.Status] = byStatus.GetValueOrDefault(answer.Status) + 1;
                if (answer.Status is not (401 or 403 or 404))
                {
                    bypasses.Add($"WS {path}{query} ({spelling}, {name}): {answer.Status}");
                }
            }
        }
        // A streaming API key is refused however "Authorization" is spelled.
        var keyed = await RawHttp.SendAsync(env.Orchestrator.BaseUri, "GET", $"/WS/Sessions/{a}",
            [$"AUTHORIZATION: BEARER {Key}", "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]);
        Assert.Equal(401, keyed.Status);

        output.WriteLine($"{tried} requests tried; answers: {string.Join(", ", byStatus.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))}; bypasses: {bypasses.Count}");
        Assert.True(bypasses.Count == 0, $"{bypasses.Count} of {tried} requests were not refused:\n" + string.Join("\n", bypasses.Take(40)));

        var after = await SnapshotAsync(a);
        Assert.Equal(before.Sessions, after.Sessions);
        Assert.Equal(before.Participants, after.Participants);
        Assert.Equal(before.Url, after.Url);
        Assert.Contains(b, after.Sessions);
        Assert.Contains(a, after.Sessions);
    }

    [Fact]
    public async Task TheCreateLimitHoldsInEverySpelling()
    {
        await using var orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__0"] = Key,
            ["Auth__TokenSigningKey"] = SecuredEnvironment.SigningKey,
            ["RateLimits__Enabled"] = "true",
            ["RateLimits__SessionCreatesPerMinute"] = "2",
            ["Sessions__MaxSessions"] = "0",
        });
        // MaxSessions 0: the two admitted creates start no runner; what follows must be the rate limit, not the session limit.
        var answers = new List<string>();
        foreach (var path in new[] { "/api/sessions", "/api/Sessions", "/API/SESSIONS/", "/%61pi/sessions", "/api/./sessions", "/api/sessions/", "/Api/Sessions" })
        {
            var answer = await RawHttp.SendAsync(orchestrator.BaseUri, "POST", path, [$"Authorization: Bearer {Key}"], """{"url":"https://example.com/"}""");
            answers.Add($"{path} {answer.Status} {(answer.Body.Contains("rate_limited") ? "rate_limited" : "other")}");
        }
        output.WriteLine("create answers: " + string.Join("; ", answers));
        Assert.All(answers.Take(2), a => Assert.DoesNotContain("rate_limited", a));
        Assert.All(answers.Skip(2), a => Assert.EndsWith("429 rate_limited", a));
    }

    private async Task<(string Sessions, int Participants, string? Url)> SnapshotAsync(string id)
    {
        var (_, list, _) = await env.Api.SendAsync(HttpMethod.Get, "/api/sessions", bearer: Key);
        var sessions = string.Join(",", list.GetProperty("sessions").EnumerateArray()
            .Select(s => $"{s.GetProperty("sessionId").GetString()}:{s.GetProperty("status").GetString()}").Order());
        var (_, participants, _) = await env.Api.SendAsync(HttpMethod.Get, $"/api/sessions/{id}/participants", bearer: Key);
        var tabs = await env.Api.TabsAsync(id, Key);
        return (sessions, participants.GetProperty("participants").GetArrayLength(), SecurityApi.Active(tabs).GetProperty("url").GetString());
    }

    private static string Truncate(string s) => s.Length > 160 ? s[..160] + "…" : s;
}
