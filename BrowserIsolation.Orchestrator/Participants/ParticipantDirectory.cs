using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using BrowserIsolation.Orchestrator.Apis;
using BrowserIsolation.Orchestrator.Auth;
using BrowserIsolation.Orchestrator.Relay;
using BrowserIsolation.Orchestrator.Runners;
using BrowserIsolation.Orchestrator.Sessions;
using BrowserIsolation.Orchestrator.Store;

namespace BrowserIsolation.Orchestrator.Participants;

/// <summary>
/// A session's participants as the REST API shows and changes them: who holds a token (the store, shared by every
/// replica) joined with who is connected and who has control (the session's runner, where every connection meets).
/// Removing revokes in the store first, so the participant's tokens stop working on every replica at once, then closes
/// its connections at the runner (whichever replica relays them) and here.
/// </summary>
public sealed class ParticipantDirectory(
    ISessionStore store,
    RunnerClient runner,
    SessionConnections connections,
    ILogger<ParticipantDirectory> logger)
{
    public async Task<IResult> ListAsync(Session session, CancellationToken cancellationToken)
    {
        var live = session.Status == SessionStatus.Ready ? await RunnerAsync(session, HttpMethod.Get, "participants", null, null, cancellationToken) : null;
        var byId = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var p in (live?["participants"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (p["participantId"]?.GetValue<string>() is { } id)
            {
                byId[id] = p;
            }
        }
        var list = new JsonArray();
        foreach (var p in session.Participants.Where(p => !p.Revoked))
        {
            var online = byId.Remove(p.ParticipantId, out var o) ? o : null;
            list.Add(View(p.ParticipantId, p.DisplayName, p.Role, p.CreatedAt, online));
        }
        // Connected without a token of this session's list: the local operator when auth is off.
        foreach (var (id, online) in byId)
        {
            list.Add(View(id, online["name"]?.GetValue<string>() ?? id, online["role"]?.GetValue<string>() ?? Roles.Viewer, null, online));
        }
        return Results.Ok(new JsonObject { ["participants"] = list, ["control"] = live?["control"]?.DeepClone() });
    }

    public async Task<IResult> SetRoleAsync(Session session, string participantId, string role, Caller? caller, CancellationToken cancellationToken)
    {
        IResult? problem = null;
        Participant? changed = null;
        var updated = await store.UpdateAsync(session.SessionId, s =>
        {
            problem = null;
            var target = s.Participants.FirstOrDefault(p => p.ParticipantId == participantId);
            problem = Refusal(target, caller, role);
            if (problem is not null || target!.Role == role)
            {
                changed = target;
                return null;
            }
            changed = target with { Role = role };
            return s with { Participants = [.. s.Participants.Select(p => p.ParticipantId == participantId ? changed : p)] };
        }, cancellationToken);
        if (updated is null)
        {
            return Problems.SessionNotFound(session.SessionId);
        }
        if (problem is not null)
        {
            return problem;
        }
        var told = updated.Status == SessionStatus.Ready &&
            await RunnerAsync(updated, HttpMethod.Put, $"participants/{participantId}", new { role }, null, cancellationToken) is not null;
        if (!told && updated.Status == SessionStatus.Ready)
        {
            // The runner did not take the new role: its connections reconnect and bring the stored one.
            connections.CloseParticipant(session.SessionId, participantId);
        }
        return Results.Ok(View(changed!.ParticipantId, changed.DisplayName, changed.Role, changed.CreatedAt, null));
    }

    public async Task<IResult> RemoveAsync(Session session, string participantId, Caller? caller, CancellationToken cancellationToken)
    {
        IResult? problem = null;
        var updated = await store.UpdateAsync(session.SessionId, s =>
        {
            var target = s.Participants.FirstOrDefault(p => p.ParticipantId == participantId);
            problem = target is { Revoked: true } ? null : Refusal(target, caller, null);
            if (problem is not null || target!.Revoked)
            {
                return null;
            }
            return s with { Participants = [.. s.Participants.Select(p => p.ParticipantId == participantId ? p with { Revoked = true } : p)] };
        }, cancellationToken);
        if (updated is null)
        {
            return Problems.SessionNotFound(session.SessionId);
        }
        if (problem is not null)
        {
            return problem;
        }
        logger.LogInformation("Participant {Participant} removed from session {SessionId} by {Caller}", participantId, session.SessionId, caller?.Name);
        if (updated.Status == SessionStatus.Ready)
        {
            await RunnerAsync(updated, HttpMethod.Delete, $"participants/{participantId}", null, null, cancellationToken);
        }
        connections.CloseParticipant(session.SessionId, participantId);
        return Results.NoContent();
    }

    /// <summary>
    /// Why <paramref name="caller"/> may not change <paramref name="target"/> (to <paramref name="role"/>, or remove it):
    /// an owner with a join token manages controllers and viewers and itself, never another owner, and makes no owners;
    /// an API key holder may do anything.
    /// </summary>
    private static IResult? Refusal(Participant? target, Caller? caller, string? role)
    {
        if (target is null)
        {
            return Problems.Create(404, "participant_not_found", "Participant not found", "there is no such participant in this session");
        }
        if (target.Revoked)
        {
            return Problems.Create(409, "participant_removed", "Participant removed", "this participant was removed from the session");
        }
        if (caller is not { Kind: CallerKind.Participant, Participant: { } self })
        {
            return null;
        }
        if (role == Roles.Owner && target.Role != Roles.Owner)
        {
            return Problems.Create(403, "role_forbidden", "Forbidden", "owners are made with an API key");
        }
        if (target.Role == Roles.Owner && target.ParticipantId != self.ParticipantId)
        {
            return Problems.Create(403, "role_forbidden", "Forbidden", "another owner is changed with an API key");
        }
        return null;
    }

    private static JsonObject View(string id, string name, string role, DateTimeOffset? createdAt, JsonObject? online) => new()
    {
        ["participantId"] = id,
        ["displayName"] = name,
        ["role"] = role,
        ["createdAt"] = createdAt,
        ["connected"] = online?["connected"]?.GetValue<bool>() ?? false,
        ["connections"] = online?["connections"]?.GetValue<int>() ?? 0,
        ["color"] = online?["color"]?.DeepClone(),
        ["control"] = online?["control"]?.GetValue<bool>() ?? false,
        ["requested"] = online?["requested"]?.GetValue<bool>() ?? false,
        ["joinedAt"] = online?["joinedAt"]?.DeepClone(),
        ["quality"] = online?["quality"]?.DeepClone(),
    };

    /// <summary>A runner call's JSON answer, or null when the runner did not answer (logged, never thrown).</summary>
    private async Task<JsonObject?> RunnerAsync(Session session, HttpMethod method, string path, object? body, Participant? participant,
        CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var content = body is null ? null : JsonContent.Create(body);
            using var response = await runner.SendAsync(session, method, path, content, timeout.Token, participant);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("Runner of session {SessionId} answered {Status} to {Method} {Path}", session.SessionId, (int)response.StatusCode, method, path);
                return null;
            }
            return response.Content.Headers.ContentLength == 0
                ? []
                : await RunnerResponseBody.ReadJsonAsync<JsonObject>(response.Content, timeout.Token) ?? [];
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Runner of session {SessionId} did not answer {Method} {Path}: {Message}", session.SessionId, method, path, ex.Message);
            return null;
        }
    }
}
