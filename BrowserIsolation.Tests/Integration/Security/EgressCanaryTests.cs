using System.Net;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// The egress guard through the whole product (REST API, orchestrator, runner, proxy, CDP interception, real Chromium):
/// whatever a user types or a page tries, the canary is never reached, the user sees the block page, and the session
/// keeps working.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Security")]
public sealed class EgressCanaryTests(CanaryEnvironment env) : IClassFixture<CanaryEnvironment>
{
    private const string BlockTitle = "Blocked by policy";

    [Fact]
    public async Task TypedAddressesToTheCanaryInEveryFormAreBlockedWithTheBlockPage()
    {
        var (id, token) = await env.Api.CreateReadyAsync(env.Site.TitledPage("/typed-start", "typed-start"));
        await env.Api.WaitForTitleAsync(id, token, "typed-start");
        foreach (var host in env.CanaryHosts().Append("169.254.169.254"))
        {
            var url = env.Canary.Url(host, "/typed");
            var refused = await env.Api.NavigateAsync(id, url, token, HttpStatusCode.Forbidden);
            Assert.Equal("blocked_by_policy", refused.GetProperty("code").GetString());
            await env.Api.WaitForTitleAsync(id, token, BlockTitle);
            Assert.True(env.Canary.Hits == 0, $"{url} reached the canary: {env.Canary.Describe()}");
            // Back to a real page, so the next block page is a fresh one.
            await env.Api.NavigateAsync(id, env.Site.TitledPage("/typed-between", "between"), token);
            await env.Api.WaitForTitleAsync(id, token, "between");
        }
        Assert.Equal(0, env.Canary.Hits);
    }

    [Fact]
    public async Task PagesCannotReachTheCanaryByNavigationFetchXhrWebSocketIframeImageOrRedirect()
    {
        var (id, token) = await env.Api.CreateReadyAsync(env.Site.TitledPage("/vectors-start", "vectors-start"));
        var targets = env.CanaryHosts().Select(h => env.Canary.Url(h, "/from-page")).ToList();
        targets.AddRange(targets.Take(3).Select(t => env.Site.RedirectTo(t)));
        var page = env.Site.Page("/vectors", VectorsPage(targets, env.Canary.Port));
        await env.Api.NavigateAsync(id, page, token);
        await env.Api.WaitForTitleAsync(id, token, "vectors-done", TimeSpan.FromSeconds(40));
        Assert.True(env.Canary.Hits == 0, $"a page reached the canary: {env.Canary.Describe()}");
        // The page ran every vector; none got through (the proxy answers refused plain-HTTP subresources with a 403 page,
        // which a no-cors fetch sees as an opaque response, but never with the canary's content).
        Assert.Contains(env.Site.Reports, r => r.StartsWith("xhr ", StringComparison.Ordinal));
        Assert.DoesNotContain(env.Site.Reports, r => r.StartsWith("ws-open", StringComparison.Ordinal) || r.StartsWith("img-ok", StringComparison.Ordinal));

        // Top-level navigations a page starts (location, links, redirects) end on the block page.
        var hosts = env.CanaryHosts().ToList();
        var jumps = new[] { hosts[0], hosts[3], hosts[^1], hosts[14] }.Select((h, i) => env.Canary.Url(h, $"/jump-{i}"))
            .Append(env.Site.RedirectTo(env.Canary.Url("127.0.0.3", "/jump-4"))).ToList();
        for (var i = 0; i < jumps.Count; i++)
        {
            var jump = env.Site.Page($"/jump-{i}", $"<!doctype html><title>jump</title><script>location.href = {JsonSerializer.Serialize(jumps[i])};</script>");
            await env.Api.NavigateAsync(id, jump, token);
            var marker = $"/jump-{i}";
            await env.Api.WaitForActiveTabAsync(id, token, t => t.GetProperty("title").GetString() == BlockTitle &&
                t.GetProperty("url").GetString()!.Contains(marker, StringComparison.Ordinal) && !t.GetProperty("url").GetString()!.StartsWith(env.Site.BaseUri.AbsoluteUri, StringComparison.Ordinal),
                $"the block page for {jumps[i]}");
        }
        Assert.True(env.Canary.Hits == 0, $"a navigation reached the canary: {env.Canary.Describe()}");

        // The session keeps working: a normal page still loads and streams.
        var after = env.Site.TitledPage("/after-vectors", "after-vectors", "rgb(0,255,0)");
        await env.Api.NavigateAsync(id, after, token);
        await env.Api.WaitForTitleAsync(id, token, "after-vectors");
        using var socket = new SessionSocket(await env.Api.ConnectAsync(id, token));
        await socket.WaitForFrameAsync(f => JpegPixels.IsColor(f.Center, 0, 255, 0), TimeSpan.FromSeconds(15), "the page after the blocks");
    }

    [Fact]
    public async Task RedirectFromTheAllowedServerToTheCanaryShowsTheBlockPage()
    {
        var (id, token) = await env.Api.CreateReadyAsync(env.Site.TitledPage("/redirect-start", "redirect-start"));
        var hosts = new[] { "127.0.0.3", CanaryEnvironment.CanaryName, "[::1]", "2130706435", "[::ffff:127.0.0.1]" };
        for (var i = 0; i < hosts.Length; i++)
        {
            var path = $"/via-redirect-{i}";
            await env.Api.NavigateAsync(id, env.Site.RedirectTo(env.Canary.Url(hosts[i], path)), token);
            await env.Api.WaitForActiveTabAsync(id, token, t => t.GetProperty("title").GetString() == BlockTitle &&
                t.GetProperty("url").GetString()!.EndsWith(path, StringComparison.Ordinal), $"the block page after redirecting to {hosts[i]}");
        }
        Assert.True(env.Canary.Hits == 0, env.Canary.Describe());
    }

    [Fact]
    public async Task LocalFilesViewSourceAndBrowserPagesAreBlocked()
    {
        var (id, token) = await env.Api.CreateReadyAsync(env.Site.TitledPage("/local-start", "local-start"));
        foreach (var url in new[]
        {
            "file:///etc/passwd", "FILE:///etc/passwd", "view-source:" + env.Site.Url("/local-start"), "chrome://version",
            "chrome://settings", "chrome-untrusted://terminal/", "devtools://devtools/bundled/inspector.html",
            "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/x.html", "javascript:document.title='pwned'", "about:version",
            "data:text/html,<title>typed-data</title>",
        })
        {
            var refused = await env.Api.NavigateAsync(id, url, token, HttpStatusCode.Forbidden);
            Assert.Equal("blocked_by_policy", refused.GetProperty("code").GetString());
            await env.Api.WaitForTitleAsync(id, token, BlockTitle);
            await env.Api.NavigateAsync(id, env.Site.TitledPage("/local-between", "local-between"), token);
            await env.Api.WaitForTitleAsync(id, token, "local-between");
        }

        // A page linking to a local file cannot open it either.
        var linker = env.Site.Page("/file-link", """
            <!doctype html><title>file-link</title>
            <a id=a href="file:///etc/passwd" style="display:block;width:100vw;height:100vh">open</a>
            <script>setTimeout(() => document.getElementById('a').click(), 100); setTimeout(() => { try { window.open('file:///etc/passwd'); } catch {} }, 300);</script>
            """);
        await env.Api.NavigateAsync(id, linker, token);
        await Task.Delay(1500);
        var tabs = await env.Api.TabsAsync(id, token);
        Assert.DoesNotContain(tabs.EnumerateArray(), t => t.GetProperty("url").GetString()!.StartsWith("file:", StringComparison.Ordinal) &&
            t.GetProperty("title").GetString() != BlockTitle);
        Assert.DoesNotContain(tabs.EnumerateArray(), t => t.GetProperty("title").GetString() == "pwned");
    }

    /// <summary>Tries every target with fetch, XHR, WebSocket, iframe, img, script, EventSource and beacon, then reports.</summary>
    private static string VectorsPage(IReadOnlyList<string> targets, int canaryPort) => $$"""
        <!doctype html><title>vectors-running</title><body>
        <script>
        const targets = {{JsonSerializer.Serialize(targets)}};
        const report = what => fetch('/report?what=' + encodeURIComponent(what)).catch(() => {});
        const settle = (p, ms) => Promise.race([p, new Promise(r => setTimeout(r, ms))]);
        const tries = [];
        for (const url of targets) {
          tries.push(fetch(url, { mode: 'no-cors' }).then(() => report('fetch-ok ' + url), () => report('fetch-refused ' + url)));
          tries.push(new Promise(done => { const x = new XMLHttpRequest(); x.onloadend = () => { report('xhr ' + x.status + ' ' + url); done(); };
            try { x.open('GET', url); x.send(); } catch (e) { done(); } }));
          tries.push(new Promise(done => { let ws; try { ws = new WebSocket(url.replace(/^http/, 'ws')); } catch (e) { return done(); }
            ws.onopen = () => { report('ws-open ' + url); done(); }; ws.onerror = ws.onclose = () => done(); }));
          tries.push(new Promise(done => { const f = document.createElement('iframe'); f.src = url; f.onload = done; f.onerror = done; document.body.appendChild(f); }));
          tries.push(new Promise(done => { const i = new Image(); i.onload = () => { report('img-ok ' + url); done(); }; i.onerror = done; i.src = url; }));
          tries.push(new Promise(done => { const s = document.createElement('script'); s.src = url; s.onload = s.onerror = done; document.body.appendChild(s); }));
          tries.push(new Promise(done => { try { const e = new EventSource(url); e.onerror = () => { e.close(); done(); }; } catch (err) { done(); } }));
          try { navigator.sendBeacon(url, 'x'); } catch (e) {}
        }
        const link = document.createElement('link'); link.rel = 'preconnect'; link.href = 'http://127.0.0.3:{{canaryPort}}/'; document.head.appendChild(link);
        settle(Promise.allSettled(tries), 20000).then(() => setTimeout(() => document.title = 'vectors-done', 1500));
        </script></body>
        """;
}
