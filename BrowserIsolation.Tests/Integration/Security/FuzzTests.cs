using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// Thousands of malformed input events, SDP bodies and REST bodies against a live session. Every one gets an error
/// answer (a problem, or an error message on the socket); nothing crashes, no process leaks, no session is lost.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Fuzz")]
public sealed class FuzzTests(SecuredEnvironment env) : IClassFixture<SecuredEnvironment>
{
    private const string Key = SecuredEnvironment.ApiKey;
    private readonly Random _random = new(6);

    [Fact]
    public async Task MalformedInputSdpAndRestBodiesAllGetErrorsAndNothingIsLost()
    {
        var (id, owner) = await env.Api.CreateReadyAsync(env.Site.Page("/fuzz", TestSite.Pages.All[TestSite.Pages.ClickToBlue]), Key);
        var (otherId, otherOwner) = await env.Api.CreateReadyAsync(env.Site.TitledPage("/bystander", "bystander"), Key);
        var runnerDirs = RunnerLeftovers.RunnerDirs(env.Orchestrator.WorkRoot);
        var pids = runnerDirs.SelectMany(d => new[] { RunnerLeftovers.RunnerPid(d), RunnerLeftovers.ChromiumPid(d) }).OfType<int>().ToList();
        var clock = Stopwatch.StartNew();

        var socketErrors = await FuzzInputAsync(id, owner, batches: 30, perBatch: 100);
        var socketTime = clock.Elapsed;
        var rest = await FuzzRestAsync(id, owner, count: 1500);
        var sdp = await FuzzSdpAsync(id, owner, count: 500);

        // Still up, still the same sessions, the same processes, and the session still works.
        Assert.Equal(HttpStatusCode.OK, (await env.Orchestrator.Http.GetAsync("/health")).StatusCode);
        Assert.All(pids, pid => Assert.True(RunnerLeftovers.IsAlive(pid), $"process {pid} died"));
        foreach (var session in new[] { (id, owner), (otherId, otherOwner) })
        {
            var (status, body, _) = await env.Api.SendAsync(HttpMethod.Get, $"/api/sessions/{session.Item1}", bearer: session.Item2);
            Assert.True(status == HttpStatusCode.OK && body.GetProperty("status").GetString() == "ready", body.ToString());
        }
        // A title of its own: the fuzzed page had "click" too, and a click must land on the new page.
        var after = TestSite.Pages.All[TestSite.Pages.ClickToBlue].Replace("<title>click</title>", "<title>after-fuzz</title>", StringComparison.Ordinal);
        await env.Api.NavigateAsync(id, env.Site.Page("/fuzz-after", after), owner);
        await env.Api.WaitForTitleAsync(id, owner, "after-fuzz");
        using (var socket = new SessionSocket(await env.Api.ConnectAsync(id, owner)))
        {
            await socket.SendJsonAsync(new { type = "mousedown", x = 50, y = 50, button = "left", clickCount = 1 });
            await socket.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 0, 0, 255), TimeSpan.FromSeconds(15), "blue: input still works");
        }
        Assert.Equal(RunnerLeftovers.RunnerDirs(env.Orchestrator.WorkRoot).Count, runnerDirs.Count);

        // Ending the sessions leaves no process behind.
        foreach (var session in new[] { id, otherId })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await env.Api.SendAsync(HttpMethod.Delete, $"/api/sessions/{session}", bearer: Key)).Status);
        }
        Assert.All(pids, pid => Assert.False(RunnerLeftovers.IsAlive(pid), $"process {pid} outlived its session"));
        Console.WriteLine($"fuzz: {socketErrors} socket errors in {socketTime.TotalSeconds:0.0} s, {rest} REST and {sdp} SDP problems, total {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Sends batches of bad messages and counts one error back for each.</summary>
    private async Task<int> FuzzInputAsync(string id, string token, int batches, int perBatch)
    {
        using var socket = new SessionSocket(await env.Api.ConnectAsync(id, token));
        var errors = 0;
        for (var batch = 0; batch < batches; batch++)
        {
            for (var i = 0; i < perBatch; i++)
            {
                var (kind, payload) = BadInputMessage();
                await socket.Socket.SendAsync(payload, kind, true, CancellationToken.None);
            }
            var seen = 0;
            var deadline = Stopwatch.StartNew();
            while (seen < perBatch && deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                var message = await socket.ReceiveAsync(TimeSpan.FromSeconds(20) - deadline.Elapsed);
                Assert.NotNull(message); // the socket stays open
                if (message.Type == WebSocketMessageType.Text && message.Json.GetProperty("type").GetString() == "error")
                {
                    seen++;
                }
            }
            Assert.True(seen == perBatch, $"batch {batch}: {seen} errors for {perBatch} bad messages");
            errors += seen;
        }
        Assert.Equal(WebSocketState.Open, socket.Socket.State);
        return errors;
    }

    private (WebSocketMessageType, byte[]) BadInputMessage()
    {
        string Text() => _random.Next(8) switch
        {
            0 => RandomString(_random.Next(0, 40)),
            1 => "{\"type\":" + RandomString(6) + "}",
            2 => JsonSerializer.Serialize(new { type = RandomString(_random.Next(1, 40)) }),
            3 => JsonSerializer.Serialize(new { type = Pick("mousemove", "mousedown", "scroll"), x = RandomString(3), y = 1 }),
            4 => JsonSerializer.Serialize(new { type = Pick("keydown", "keyup"), key = new string('k', 33 + _random.Next(100)) }),
            5 => new string('[', 20 + _random.Next(50)) + new string(']', 20),
            6 => JsonSerializer.Serialize(new { type = "mousedown", x = 1, y = 2, button = _random.Next(3, 1000), modifiers = "x" }),
            _ => JsonSerializer.Serialize(new object[] { _random.Next(), RandomString(5) }),
        };
        return _random.Next(40) switch
        {
            0 => (WebSocketMessageType.Binary, RandomBytes(_random.Next(1, 300))),
            1 => (WebSocketMessageType.Text, Encoding.UTF8.GetBytes("{\"type\":\"text\",\"text\":\"" + new string('x', 70_000) + "\"}")),
            _ => (WebSocketMessageType.Text, Encoding.UTF8.GetBytes(Text())),
        };
    }

    /// <summary>Bad bodies for every endpoint that takes one; each must get a 4xx problem.</summary>
    private async Task<int> FuzzRestAsync(string id, string token, int count)
    {
        var problems = 0;
        for (var i = 0; i < count; i++)
        {
            var (method, path, body, bearer) = _random.Next(7) switch
            {
                6 => (HttpMethod.Get, $"/api/sessions/{id}", "", "bi1." + PrintableString(_random.Next(0, 80)) + Pick("", "." + PrintableString(43), ".AAAA")),
                0 => (HttpMethod.Post, "/api/sessions", BadObject("url", "width", "height"), Key),
                1 => (HttpMethod.Post, $"/api/sessions/{id}/navigate", BadObject("url", "tabId"), token),
                2 => (HttpMethod.Put, $"/api/sessions/{id}/policy", BadObject("allowList", "blockList", "homepage", "popupsAsTabs", "allowDownloads"), Key),
                3 => (HttpMethod.Post, $"/api/sessions/{id}/tokens", BadObject("role", "displayName", "ttlSeconds", "participantId"), Key),
                4 => (HttpMethod.Post, $"/api/sessions/{id}/tabs", BadObject("url"), token),
                _ => (Pick(HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete), $"/api/sessions/{id}/{Pick("back", "tabs/" + RandomToken(), "tabs/" + RandomToken() + "/activate", RandomToken())}",
                    RandomString(_random.Next(0, 200)), token),
            };
            var (status, json, response) = await env.Api.SendAsync(method, path, bearer: bearer, rawBody: body);
            var code = (int)status;
            Assert.True(code is >= 400 and < 500, $"{method} {path} {Shorten(body)} got {code} {json}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            problems++;
        }
        return problems;
    }

    private async Task<int> FuzzSdpAsync(string id, string token, int count)
    {
        var problems = 0;
        for (var i = 0; i < count; i++)
        {
            var sdp = _random.Next(3) switch
            {
                0 => RandomString(_random.Next(0, 2000)),
                1 => "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nm=video " + _random.Next() + " UDP/TLS/RTP/SAVPF " + RandomString(20) + "\r\n",
                _ => JsonSerializer.Serialize(new { sdp = RandomString(_random.Next(0, 500)), type = RandomString(5) }),
            };
            var (status, json, response) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/offer", bearer: token, rawBody: sdp,
                contentType: Pick("application/sdp", "application/json", "text/plain"));
            var code = (int)status;
            // 404 until WebRTC signaling is there; then a malformed offer must be a 400.
            Assert.True(code is 400 or 404 or 415 or 501, $"offer {Shorten(sdp)} got {code} {json}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            problems++;
        }
        return problems;
    }

    /// <summary>A JSON body that is wrong for its endpoint: wrong types, bad values, not an object, or not JSON at all.</summary>
    private string BadObject(params string[] fields)
    {
        object Value() => _random.Next(7) switch
        {
            0 => _random.Next(),
            1 => RandomString(_random.Next(0, 30)),
            2 => new[] { RandomString(4), "http://[" },
            3 => new { nested = new { deeper = RandomString(3) } },
            4 => true,
            5 => "javascript:" + RandomString(5),
            _ => new string('a', 5000 + _random.Next(20_000)),
        };
        return _random.Next(6) switch
        {
            0 => "x" + RandomString(_random.Next(0, 100)), // never empty (a token request may have no body) and never JSON
            1 => "[" + _random.Next() + "]",
            2 => "{\"" + RandomString(8) + "\":" + JsonSerializer.Serialize(Value()) + ", \"" + Pick(fields) + "\":",
            _ => JsonSerializer.Serialize(fields.Where(_ => _random.Next(2) == 0).Append(Pick(fields))
                .Distinct().ToDictionary(f => f, f => Invalid(f, Value()))),
        };
    }

    /// <summary>Guarantees the field is wrong: known-valid values are replaced.</summary>
    private object Invalid(string field, object value) => field switch
    {
        "url" or "homepage" => value is string s && Uri.TryCreate(s, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" ? 42 : value is string ? "not a url " + value : value,
        "role" => value is "owner" or "viewer" or "controller" ? 7 : value,
        "popupsAsTabs" or "allowDownloads" => value is bool ? "yes" : value,
        "width" or "height" or "ttlSeconds" => value is int ? -1 : value,
        "tabId" => "nope-" + value,
        "participantId" => "../" + value,
        "displayName" => new[] { 1, 2 },
        "allowList" or "blockList" => value is string[] ? value : new[] { "http://[" },
        _ => value,
    };

    private T Pick<T>(params T[] options) => options[_random.Next(options.Length)];

    private string RandomToken() => Convert.ToHexStringLower(RandomBytes(_random.Next(1, 12)));

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private string RandomString(int length)
    {
        const string alphabet = "abcXYZ019 {}[]\":,\\/<>'&%\u00e9\u4e2d\u0000\t\n-_.=?#";
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[_random.Next(alphabet.Length)];
        }
        return new string(chars);
    }

    private string PrintableString(int length) => new([.. Enumerable.Range(0, length).Select(_ => (char)_random.Next(0x21, 0x7f))]);

    private static string Shorten(string s) => s.Length > 120 ? s[..120] + "…" : s;
}
