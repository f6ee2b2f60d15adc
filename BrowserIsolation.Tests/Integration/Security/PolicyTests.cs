using System.Net;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>The per-session URL policy, changed while the session runs, and the reset to a fresh profile.</summary>
[Trait("Category", "Integration")]
[Trait("Category", "Security")]
public sealed class PolicyTests(SecuredEnvironment env) : IClassFixture<SecuredEnvironment>
{
    private const string Key = SecuredEnvironment.ApiKey;
    private const string BlockTitle = "Blocked by policy";

    [Fact]
    public async Task AllowAndBlockListUpdatesTakeEffectMidSession()
    {
        var open = env.Site.TitledPage("/open", "open");
        var secret = env.Site.TitledPage("/private/doc", "private-doc");
        var allowed = env.Site.TitledPage("/allowed/page", "allowed-page");
        var (id, owner) = await env.Api.CreateReadyAsync(secret, Key);
        await env.Api.WaitForTitleAsync(id, owner, "private-doc");
        var policyPath = $"/api/sessions/{id}/policy";

        // The tab already showing the newly blocked path goes to the block page at once.
        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, policyPath, new { blockList = new[] { "127.0.0.2/private" } }, Key);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("127.0.0.2/private", body.GetProperty("blockList")[0].GetString());
        await env.Api.WaitForTitleAsync(id, owner, BlockTitle);
        await env.Api.NavigateAsync(id, secret, owner, HttpStatusCode.Forbidden);
        await env.Api.NavigateAsync(id, open, owner);
        await env.Api.WaitForTitleAsync(id, owner, "open");

        // Path rules hold for what a page fetches too (the whole URL is checked, not only the host).
        await env.Api.NavigateAsync(id, env.Site.Page($"/fetcher", "<title>fetching</title><script>fetch('/private/doc').then(r => document.title = 'fetched:' + r.status, () => document.title = 'fetch-blocked')</script>"), owner);
        await env.Api.WaitForTitleAsync(id, owner, "fetch-blocked");

        // A page linking to the blocked path gets the block page too (the rule applies to pages, not only to users).
        await env.Api.NavigateAsync(id, env.Site.Page("/to-private", $"<title>to</title><script>location.href={JsonSerializer.Serialize(secret)}</script>"), owner);
        await env.Api.WaitForTitleAsync(id, owner, BlockTitle);

        // Lifted again: the same address works.
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, policyPath, new { blockList = Array.Empty<string>() }, Key);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await env.Api.NavigateAsync(id, secret, owner);
        await env.Api.WaitForTitleAsync(id, owner, "private-doc");
        await env.Api.NavigateAsync(id, env.Site.Url("/fetcher"), owner);
        await env.Api.WaitForTitleAsync(id, owner, "fetched:200");

        // An allow list blocks everything else, including the page on screen.
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, policyPath, new { allowList = new[] { "127.0.0.2/allowed" } }, Key);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await env.Api.WaitForTitleAsync(id, owner, BlockTitle);
        await env.Api.NavigateAsync(id, open, owner, HttpStatusCode.Forbidden);
        await env.Api.NavigateAsync(id, allowed, owner);
        await env.Api.WaitForTitleAsync(id, owner, "allowed-page");

        // Participants may read the policy but not change it; bad policies are refused whole.
        var (read, readBody, _) = await env.Api.SendAsync(HttpMethod.Get, policyPath, bearer: owner);
        Assert.True(read == HttpStatusCode.OK, readBody.ToString());
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, policyPath, new { allowList = Array.Empty<string>() }, owner);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Forbidden, "api_key_required");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, policyPath, new { blockList = new[] { "http://[bad" } }, Key);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.BadRequest, "invalid_policy");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, policyPath, new { allowlist2 = true }, Key);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.BadRequest, "unknown_field");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, policyPath, new { homepage = "file:///etc/passwd" }, Key);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.BadRequest, "invalid_policy");

        // The local-scheme floor stays, whatever a PUT says.
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, policyPath, new { allowList = Array.Empty<string>(), blockedSchemes = Array.Empty<string>(), userBlockedSchemes = Array.Empty<string>() }, Key);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Contains("file", body.GetProperty("blockedSchemes").EnumerateArray().Select(s => s.GetString()));
        await env.Api.NavigateAsync(id, "file:///etc/passwd", owner, HttpStatusCode.Forbidden);
        await env.Api.NavigateAsync(id, "javascript:document.title='x'", owner, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ResetClearsCookiesStorageTabsAndHistory()
    {
        var storage = env.Site.Page("/storage", TestSite.Pages.All[TestSite.Pages.Storage]);
        var home = env.Site.TitledPage("/home", "home");
        var (id, owner) = await env.Api.CreateReadyAsync(storage, Key);
        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/policy", new { homepage = home }, Key);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await env.Api.WaitForTitleAsync(id, owner, "had:none|none");
        await env.Api.NavigateAsync(id, storage, owner);
        await env.Api.WaitForTitleAsync(id, owner, "had:set|mark=set");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/tabs", new { url = env.Site.TitledPage("/second", "second") }, owner);
        Assert.True(status == HttpStatusCode.Created, body.ToString());

        // A controller may not reset (it is the owner's call); the owner may.
        var controller = (await env.Api.IssueTokenAsync(id, owner, new { role = "controller" })).GetProperty("token").GetString()!;
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/reset", bearer: controller);
        SecurityApi.AssertProblem(status, body, HttpStatusCode.Forbidden, "role_forbidden");
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/reset", bearer: owner);
        Assert.True(status == HttpStatusCode.OK, body.ToString());

        await env.Api.WaitForTitleAsync(id, owner, "home");
        var tabs = await env.Api.TabsAsync(id, owner);
        Assert.Equal(1, tabs.GetArrayLength());
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/back", bearer: owner);
        if (status == HttpStatusCode.OK)
        {
            // At most the blank page the reset passed through, never a page of before.
            Assert.Equal("about:blank", body.GetProperty("url").GetString());
        }
        await env.Api.NavigateAsync(id, storage, owner);
        await env.Api.WaitForTitleAsync(id, owner, "had:none|none");
    }

    [Fact]
    public async Task PopupsOpenAsTabsOnlyWhenThePolicySaysSo()
    {
        var target = env.Site.TitledPage("/popup-target", "popup-target");
        var opener = env.Site.Page("/opener", $$"""
            <!doctype html><title>opener</title>
            <body style="margin:0;height:100vh;background:rgb(255,0,0)" onclick='window.open({{JsonSerializer.Serialize(target)}})'></body>
            """);
        var (id, owner) = await env.Api.CreateReadyAsync(opener, Key);
        await env.Api.WaitForTitleAsync(id, owner, "opener");
        using var socket = new SessionSocket(await env.Api.ConnectAsync(id, owner));
        await Click(socket);
        await env.Api.WaitForTitleAsync(id, owner, "popup-target");
        Assert.Equal(2, (await env.Api.TabsAsync(id, owner)).GetArrayLength());

        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/policy", new { popupsAsTabs = false }, Key);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "policy" && !e.GetProperty("popupsAsTabs").GetBoolean(),
            TimeSpan.FromSeconds(10), "the policy change");
        var tabs = await env.Api.TabsAsync(id, owner);
        var first = tabs.EnumerateArray().First(t => t.GetProperty("title").GetString() == "opener").GetProperty("tabId").GetString();
        (status, body, _) = await env.Api.SendAsync(HttpMethod.Post, $"/api/sessions/{id}/tabs/{first}/activate", bearer: owner);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await env.Api.WaitForTitleAsync(id, owner, "opener");
        await Click(socket);
        await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "popup-blocked", TimeSpan.FromSeconds(10), "popup-blocked");
        await Task.Delay(500);
        Assert.Equal(2, (await env.Api.TabsAsync(id, owner)).GetArrayLength());
        await env.Api.WaitForTitleAsync(id, owner, "opener");
    }

    [Fact]
    public async Task DownloadsAreDeniedByDefaultAndWhenAllowedLandInTheSessionFolderWhichIsDeletedWithIt()
    {
        var (id, owner) = await env.Api.CreateReadyAsync(env.Site.TitledPage("/dl-start", "dl-start"), Key);
        var runnerDir = RunnerLeftovers.RunnerDirs(env.Orchestrator.WorkRoot).Single(d => File.Exists(Path.Combine(d, "runner.json")) &&
            File.ReadAllText(Path.Combine(d, "runner.json")).Contains(id, StringComparison.Ordinal) || RunnerLeftovers.RunnerDirs(env.Orchestrator.WorkRoot).Count == 1);
        var downloads = Path.Combine(runnerDir, "downloads");
        using var socket = new SessionSocket(await env.Api.ConnectAsync(id, owner));

        await env.Api.NavigateAsync(id, env.Site.Url("/download"), owner);
        var denied = await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "download", TimeSpan.FromSeconds(10), "a download event");
        Assert.Equal("denied", denied.GetProperty("state").GetString());
        await Task.Delay(500);
        Assert.False(Directory.Exists(downloads) && Directory.EnumerateFiles(downloads).Any(), "a denied download was written");

        var (status, body, _) = await env.Api.SendAsync(HttpMethod.Put, $"/api/sessions/{id}/policy", new { allowDownloads = true }, Key);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "policy" && e.GetProperty("allowDownloads").GetBoolean(),
            TimeSpan.FromSeconds(10), "the policy change");
        await env.Api.NavigateAsync(id, env.Site.Url("/download"), owner);
        await socket.WaitForEventAsync(e => e.GetProperty("type").GetString() == "download" && e.GetProperty("state").GetString() == "completed",
            TimeSpan.FromSeconds(15), "a completed download");
        var file = Assert.Single(Directory.EnumerateFiles(downloads));
        Assert.Equal("secret-report", await File.ReadAllTextAsync(file));

        Assert.Equal(HttpStatusCode.NoContent, (await env.Api.SendAsync(HttpMethod.Delete, $"/api/sessions/{id}", bearer: Key)).Status);
        Assert.False(Directory.Exists(runnerDir), "the session's folder outlived it");
    }

    private static async Task Click(SessionSocket socket)
    {
        await socket.SendJsonAsync(new { type = "mousedown", x = 200, y = 200, button = "left", clickCount = 1 });
        await socket.SendJsonAsync(new { type = "mouseup", x = 200, y = 200, button = "left", clickCount = 1 });
    }
}
