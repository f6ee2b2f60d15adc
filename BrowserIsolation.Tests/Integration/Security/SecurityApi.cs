using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>The orchestrator's API as the security tests use it: every call with an optional bearer credential.</summary>
public sealed class SecurityApi(OrchestratorProcess orchestrator)
{
    public OrchestratorProcess Orchestrator { get; } = orchestrator;

    public async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path,
        object? body = null, string? bearer = null, string? rawBody = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (rawBody is not null)
        {
            request.Content = new StringContent(rawBody, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        var response = await Orchestrator.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length > 0 && (response.Content.Headers.ContentType?.MediaType?.Contains("json") ?? false)
            ? JsonDocument.Parse(text).RootElement.Clone()
            : default;
        return (response.StatusCode, json, response);
    }

    /// <summary>Creates a session as <paramref name="apiKey"/> and waits until it is ready; returns its id and owner token.</summary>
    public async Task<(string Id, string OwnerToken)> CreateReadyAsync(string url, string? apiKey = null)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, "/api/sessions?wait=true", new { url }, apiKey);
        Assert.True(status == HttpStatusCode.Created, $"create failed: {(int)status} {body}");
        var id = body.GetProperty("sessionId").GetString()!;
        var owner = body.GetProperty("ownerToken").GetProperty("token").GetString()!;
        var deadline = Stopwatch.StartNew();
        while (body.GetProperty("status").GetString() != "ready")
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(45) && body.GetProperty("status").GetString() == "pending", $"session {id} did not start: {body}");
            await Task.Delay(100);
            (_, body, _) = await SendAsync(HttpMethod.Get, $"/api/sessions/{id}", bearer: owner);
        }
        return (id, owner);
    }

    public async Task<JsonElement> IssueTokenAsync(string sessionId, string bearer, object request)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, $"/api/sessions/{sessionId}/tokens", request, bearer);
        Assert.True(status == HttpStatusCode.Created, $"token issue failed: {(int)status} {body}");
        return body;
    }

    public async Task<JsonElement> NavigateAsync(string sessionId, string url, string? bearer, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, $"/api/sessions/{sessionId}/navigate", new { url }, bearer);
        Assert.True(status == expected, $"navigate {url}: expected {(int)expected}, got {(int)status} {body}");
        return body;
    }

    public async Task<JsonElement> TabsAsync(string sessionId, string? bearer)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Get, $"/api/sessions/{sessionId}/tabs", bearer: bearer);
        Assert.True(status == HttpStatusCode.OK, $"tabs: {(int)status} {body}");
        return body.GetProperty("tabs");
    }

    public static JsonElement Active(JsonElement tabs) => tabs.EnumerateArray().First(t => t.GetProperty("active").GetBoolean());

    /// <summary>Polls the tabs until the active one satisfies <paramref name="predicate"/>.</summary>
    public async Task<JsonElement> WaitForActiveTabAsync(string sessionId, string? bearer, Func<JsonElement, bool> predicate, string what,
        TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        JsonElement last = default;
        while (deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(15)))
        {
            last = Active(await TabsAsync(sessionId, bearer));
            if (predicate(last))
            {
                return last;
            }
            await Task.Delay(150);
        }
        throw new TimeoutException($"the active tab never showed {what}; last: {last}");
    }

    public Task<JsonElement> WaitForTitleAsync(string sessionId, string? bearer, string title, TimeSpan? timeout = null) =>
        WaitForActiveTabAsync(sessionId, bearer, t => t.GetProperty("title").GetString() == title, $"the title '{title}'", timeout);

    public async Task<ClientWebSocket> ConnectAsync(string sessionId, string? token, string? origin = null)
    {
        var socket = new ClientWebSocket();
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        socket.Options.CollectHttpResponseDetails = true;
        var query = token is null ? "" : "token=" + Uri.EscapeDataString(token);
        var uri = new UriBuilder(Orchestrator.BaseUri) { Scheme = "ws", Path = $"/ws/sessions/{sessionId}", Query = query }.Uri;
        await socket.ConnectAsync(uri, new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        return socket;
    }

    /// <summary>Connects and expects the upgrade to be refused; returns the HTTP status.</summary>
    public async Task<HttpStatusCode> RefusedConnectAsync(string sessionId, string? token, string? origin = null)
    {
        using var socket = new ClientWebSocket();
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        socket.Options.CollectHttpResponseDetails = true;
        var query = token is null ? "" : "token=" + Uri.EscapeDataString(token);
        var uri = new UriBuilder(Orchestrator.BaseUri) { Scheme = "ws", Path = $"/ws/sessions/{sessionId}", Query = query }.Uri;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token));
        return socket.HttpStatusCode;
    }

    public static void AssertProblem(HttpStatusCode status, JsonElement body, HttpStatusCode expected, string code)
    {
        Assert.True(status == expected, $"expected {(int)expected} {code}, got {(int)status} {body}");
        Assert.Equal(code, body.GetProperty("code").GetString());
    }
}
