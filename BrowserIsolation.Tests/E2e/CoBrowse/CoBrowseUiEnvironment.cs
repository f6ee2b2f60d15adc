using BrowserIsolation.Tests.Fixtures;
using BrowserIsolation.Tests.Integration.Security;

namespace BrowserIsolation.Tests.E2e.CoBrowse;

/// <summary>An orchestrator with authentication on, the content site, and one real Chromium for all participants' contexts.</summary>
public sealed class CoBrowseUiEnvironment : IAsyncLifetime
{
    public const string ApiKey = "cobrowse-ui-api-key-0123456789abcdef";

    public ContentSite Site { get; private set; } = null!;

    public OrchestratorProcess Orchestrator { get; private set; } = null!;

    public SecurityApi Api { get; private set; } = null!;

    public PlaywrightBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Site = await ContentSite.StartAsync();
        Orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__0"] = ApiKey,
            ["Auth__TokenSigningKey"] = "cobrowse-ui-signing-key-0123456789abcdef-0123",
            ["RateLimits__Enabled"] = "false",
            ["CoBrowse__ReconnectGrace"] = "00:00:05",
            // The content site may embed the viewer; EmbeddingUiTests frames it from another origin too, which may not.
            ["Embedding__FrameAncestors__0"] = Site.BaseUri.GetLeftPart(UriPartial.Authority),
        });
        Api = new SecurityApi(Orchestrator);
        Browser = await PlaywrightBrowser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Orchestrator.DisposeAsync();
        await Site.DisposeAsync();
    }

    /// <summary>A session of <paramref name="width"/>x<paramref name="height"/> on <paramref name="url"/>; its owner token.</summary>
    public async Task<(string Id, string OwnerToken)> SessionAsync(string url, int width = 1000, int height = 600)
    {
        var (status, body, _) = await Api.SendAsync(HttpMethod.Post, "/api/sessions", new { url, width, height }, ApiKey);
        Assert.True(status == System.Net.HttpStatusCode.Created, body.ToString());
        var id = body.GetProperty("sessionId").GetString()!;
        await Orchestrator.WaitForStatusAsyncWithKey(Api, id, ApiKey);
        return (id, body.GetProperty("ownerToken").GetProperty("token").GetString()!);
    }

    /// <summary>The Web UI link for a new participant (or the owner's own link for <paramref name="role"/> owner).</summary>
    public async Task<string> JoinUrlAsync(string id, string ownerToken, string role, string name)
    {
        var body = await Api.IssueTokenAsync(id, role == "owner" ? ApiKey : ownerToken, new { role, displayName = name });
        return body.GetProperty("joinUrl").GetString()! + "&transport=jpeg";
    }
}

internal static class OrchestratorReadiness
{
    public static async Task WaitForStatusAsyncWithKey(this OrchestratorProcess orchestrator, SecurityApi api, string id, string key)
    {
        var deadline = DateTime.UtcNow.AddSeconds(45);
        while (DateTime.UtcNow < deadline)
        {
            var (_, body, _) = await api.SendAsync(HttpMethod.Get, $"/api/sessions/{id}", bearer: key);
            var status = body.GetProperty("status").GetString();
            if (status == "ready")
            {
                return;
            }
            Assert.True(status == "pending", $"session {id} failed: {body}\n{orchestrator.Output}");
            await Task.Delay(100);
        }
        throw new TimeoutException($"session {id} did not become ready");
    }
}
