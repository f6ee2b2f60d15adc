using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using BrowserIsolation.Orchestrator.Sessions;

namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>The orchestrator's side of a runner's HTTP API (docs/protocol.md). Every call carries the runner's token.</summary>
public sealed class RunnerClient(HttpClient http, Microsoft.Extensions.Options.IOptions<Participants.CoBrowseOptions> coBrowse)
{
    public async Task AssignAsync(Session session, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, session, "session");
        request.Content = JsonContent.Create(new
        {
            sessionId = session.SessionId, url = session.Url, width = session.Width, height = session.Height, coBrowse = coBrowse.Value.ToAssignment(),
        });
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, "assign the session", cancellationToken);
    }

    public async Task<JsonElement?> GetStatsAsync(Session session, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var request = Request(HttpMethod.Get, session, "stats");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            return response.IsSuccessStatusCode ? await RunnerResponseBody.ReadJsonAsync<JsonElement>(response.Content, cts.Token) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Forwards a call to the runner and returns its response with the body unread: read it with <see cref="RunnerResponseBody"/>.</summary>
    /// <param name="participant">the join token holder behind the call, with its current role (the runner checks it has
    /// control), or null for the operator.</param>
    public async Task<HttpResponseMessage> SendAsync(Session session, HttpMethod method, string path, HttpContent? content,
        CancellationToken cancellationToken, Participant? participant = null)
    {
        var request = Request(method, session, path);
        request.Content = content;
        if (participant is not null)
        {
            request.Headers.Add("X-BI-Participant", participant.ParticipantId);
            request.Headers.Add("X-BI-Participant-Role", participant.Role);
        }
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    public static HttpRequestMessage Request(HttpMethod method, Session session, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(new Uri(session.RunnerUri!), path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.RunnerToken);
        return request;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await RunnerResponseBody.ReadStringAsync(response.Content, 16 * 1024, cancellationToken);
            throw new RunnerStartException($"runner refused to {what}: {(int)response.StatusCode} {body}");
        }
    }
}
