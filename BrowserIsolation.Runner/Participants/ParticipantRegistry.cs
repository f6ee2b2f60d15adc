using System.Text.Json;
using BrowserIsolation.Runner.Clients;
using Microsoft.Extensions.Options;
using static BrowserIsolation.Runner.Participants.ParticipantMessages;

namespace BrowserIsolation.Runner.Participants;

/// <summary>
/// Everyone in the session and who has control. The runner is where every connection of a session meets, whichever
/// orchestrator replica relays it, so this is the one place presence and control are decided. Each change is told to
/// everyone at once: a <c>participants</c> snapshot, plus <c>joined</c>/<c>left</c>/<c>control</c> events.
/// </summary>
public sealed class ParticipantRegistry : IRoster
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Participant> _participants = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private readonly ParticipantColors _colors = new();
    private readonly ControlState _control;
    private readonly CoBrowseOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ParticipantRegistry> _logger;
    private TimeSpan _idleTimeout;
    private TimeSpan _reconnectGrace;
    private bool _qualityChanged;

    public ParticipantRegistry(IOptions<CoBrowseOptions> options, TimeProvider time, ILogger<ParticipantRegistry> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _control = new ControlState(_options.ControlMode);
        _idleTimeout = _options.ControlIdleTimeout;
        _reconnectGrace = _options.ReconnectGrace;
    }

    /// <summary>Raised (outside the lock) after control changed hands.</summary>
    public event Action<ControlChange>? ControlChanged;

    /// <summary>Raised (outside the lock) when an owner removed a participant: its other channels (WebRTC) close too.</summary>
    public event Action<string>? Removed;

    // The lock is re-entrant: ControlState calls these while the registry holds it.
    public IEnumerable<string> Present
    {
        get { lock (_gate) { return [.. _participants.Values.OrderBy(p => p.JoinedAt).Select(p => p.Id)]; } }
    }

    public string? RoleOf(string participantId)
    {
        lock (_gate)
        {
            return _participants.GetValueOrDefault(participantId)?.Role;
        }
    }

    public TimeSpan IdleTimeout
    {
        get { lock (_gate) { return _idleTimeout; } }
    }

    public ControlMode Mode
    {
        get { lock (_gate) { return _control.Mode; } }
    }

    public bool IsRemoved(string participantId)
    {
        lock (_gate)
        {
            return _removed.Contains(participantId);
        }
    }

    /// <summary>Adds a connection (a new participant, another tab, or a reconnect); false when the participant was removed.</summary>
    public bool TryJoin(ClientConnection client)
    {
        ControlChange? change = null;
        lock (_gate)
        {
            if (_removed.Contains(client.Participant))
            {
                return false;
            }
            var now = _time.GetUtcNow();
            if (!_participants.TryGetValue(client.Participant, out var participant))
            {
                var color = _colors.For(client.Participant, _participants.Values.Select(p => p.Color));
                participant = new Participant(client.Participant, client.DisplayName, client.Role, color, now) { LastInputAt = now };
                _participants[participant.Id] = participant;
                participant.Connections.Add(client);
                SendLocked(Joined(View(participant)), p => p != participant);
                _logger.LogInformation("Participant {Participant} ({Role}) joined", participant.Id, participant.Role);
            }
            else
            {
                // The relay passes the role the session gives now; it wins over what this runner was told before.
                participant.Role = ParticipantRoles.IsValid(client.Role) ? client.Role : participant.Role;
                participant.Name = client.DisplayName;
                participant.DisconnectedAt = null;
                participant.Connections.Add(client);
                change = _control.Changed(participant.Id, this);
            }
            AfterChangeLocked(change);
        }
        Raise(change);
        return true;
    }

    /// <summary>A connection closed. The participant stays for the reconnect grace; <see cref="Tick"/> lets it go.</summary>
    public void Leave(ClientConnection client)
    {
        lock (_gate)
        {
            if (!_participants.TryGetValue(client.Participant, out var participant) || !participant.Connections.Remove(client))
            {
                return;
            }
            if (participant.Connections.Count == 0)
            {
                participant.DisconnectedAt = _time.GetUtcNow();
            }
            BroadcastSnapshotLocked();
        }
    }

    /// <summary>Changes a present participant's role at once; false when it is not here (its next connection brings the role).</summary>
    public bool SetRole(string participantId, string role)
    {
        if (!ParticipantRoles.IsValid(role))
        {
            throw new ControlRefusedException("invalid_role", "role must be owner, controller or viewer", 400);
        }
        ControlChange? change;
        lock (_gate)
        {
            if (!_participants.TryGetValue(participantId, out var participant))
            {
                return false;
            }
            participant.Role = role;
            change = _control.Changed(participantId, this);
            AfterChangeLocked(change);
        }
        Raise(change);
        return true;
    }

    /// <summary>Removes a participant for good: told so, its connections closed, and refused from now on.</summary>
    public void Remove(string participantId)
    {
        ControlChange? change = null;
        List<ClientConnection> connections = [];
        lock (_gate)
        {
            _removed.Add(participantId);
            if (_participants.Remove(participantId, out var participant))
            {
                connections = [.. participant.Connections];
                change = _control.Changed(participantId, this);
                SendLocked(Left(participant, "removed"), _ => true);
                AfterChangeLocked(change);
                _logger.LogInformation("Participant {Participant} was removed", participantId);
            }
        }
        var removed = JsonSerializer.Serialize(ParticipantMessages.Removed(), ClientJson.Options);
        foreach (var connection in connections)
        {
            connection.Send(removed);
            // Let the message go out before the socket closes.
            _ = Task.Delay(200).ContinueWith(_ => connection.Close(), TaskScheduler.Default);
        }
        Raise(change);
        Removed?.Invoke(participantId);
    }

    /// <summary>
    /// A control action (request, cancel, release, take, grant, deny, revoke, mode); <paramref name="actor"/> null is the
    /// operator. Refusals throw <see cref="ControlRefusedException"/>.
    /// </summary>
    public void Control(string? actor, string action, string? target = null, ControlMode? mode = null)
    {
        ControlChange? change;
        lock (_gate)
        {
            if (actor is not null && !_participants.ContainsKey(actor))
            {
                throw new ControlRefusedException("participant_not_found", "you are not in the session", 404);
            }
            string Target() => target ?? throw new ControlRefusedException("missing_field", $"'{action}' needs 'participantId'", 400);
            change = action switch
            {
                "request" => _control.Request(actor ?? throw OperatorCannot(action), this),
                "cancel" => _control.Cancel(actor ?? throw OperatorCannot(action)),
                "release" => _control.Release(actor ?? throw OperatorCannot(action), this),
                "take" => _control.Take(actor ?? throw OperatorCannot(action), this),
                "grant" => _control.Grant(actor, Target(), this),
                "deny" => _control.Deny(actor, Target(), this),
                "revoke" => _control.Revoke(actor, Target(), this),
                "mode" => _control.SetMode(actor, mode ?? throw new ControlRefusedException("missing_field", "'mode' must be exclusive or shared", 400), this),
                _ => throw new ControlRefusedException("unknown_action",
                    "action must be request, cancel, release, take, grant, deny, revoke or mode", 400),
            };
            AfterChangeLocked(change);
        }
        Raise(change);
    }

    public void SetIdleTimeout(TimeSpan timeout)
    {
        lock (_gate)
        {
            _idleTimeout = timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout;
            BroadcastSnapshotLocked();
        }
    }

    /// <summary>
    /// Whether input from <paramref name="participantId"/> may be carried out. While nobody holds control, a controller's
    /// or owner's first input (a press, key or scroll, not a mere move) takes it, as asking for it would.
    /// </summary>
    public bool MayInput(string participantId, bool acquire)
    {
        ControlChange? change = null;
        bool allowed;
        lock (_gate)
        {
            allowed = _control.HasControl(participantId, this);
            if (!allowed && acquire && _control.Mode == ControlMode.Exclusive && _control.Holder is null &&
                ParticipantRoles.MayControl(RoleOf(participantId)))
            {
                change = _control.Request(participantId, this);
                AfterChangeLocked(change);
                allowed = _control.HasControl(participantId, this);
            }
        }
        Raise(change);
        return allowed;
    }

    public void SetReconnectGrace(TimeSpan grace)
    {
        lock (_gate)
        {
            _reconnectGrace = grace < TimeSpan.Zero ? TimeSpan.Zero : grace;
        }
    }

    /// <summary>
    /// Whether a participant may drive the browser through the API. Connected, it is <see cref="MayInput"/>; only using
    /// the API (role from the orchestrator), it may while nobody holds control or control is shared.
    /// </summary>
    public bool MayDrive(string participantId, string role)
    {
        lock (_gate)
        {
            if (!_participants.ContainsKey(participantId))
            {
                return ParticipantRoles.MayControl(role) && (_control.Mode == ControlMode.Shared || _control.Holder is null);
            }
        }
        return MayInput(participantId, acquire: true);
    }

    public bool HasControl(string participantId)
    {
        lock (_gate)
        {
            return _control.HasControl(participantId, this);
        }
    }

    /// <summary>Input from <paramref name="participantId"/> was carried out: the idle timeout starts again.</summary>
    public void NoteInput(string participantId)
    {
        lock (_gate)
        {
            if (_participants.TryGetValue(participantId, out var participant))
            {
                participant.LastInputAt = _time.GetUtcNow();
            }
        }
    }

    /// <summary>A connection started or stopped playing sound: everyone sees who hears when that changes the participant.</summary>
    public void SetHearing(ClientConnection client, bool hearing)
    {
        lock (_gate)
        {
            var before = _participants.TryGetValue(client.Participant, out var participant) && participant.Hearing;
            client.Hearing = hearing;
            if (participant is not null && participant.Hearing != before)
            {
                BroadcastSnapshotLocked();
            }
        }
    }

    public void ReportQuality(string participantId, ConnectionQuality quality)
    {
        lock (_gate)
        {
            if (_participants.TryGetValue(participantId, out var participant))
            {
                participant.Quality = quality;
                _qualityChanged = true;
            }
        }
    }

    /// <summary>Shares everyone's connection quality, if any report came in since the last time.</summary>
    public void BroadcastQuality()
    {
        lock (_gate)
        {
            if (!_qualityChanged)
            {
                return;
            }
            _qualityChanged = false;
            var participants = _participants.Values.OrderBy(p => p.JoinedAt).Select(Quality).OfType<QualityView>().ToList();
            SendLocked(new { type = "quality", participants }, _ => true);
        }
    }

    /// <summary>Housekeeping: participants whose grace ran out leave; an idle holder's control passes on.</summary>
    public void Tick()
    {
        var now = _time.GetUtcNow();
        List<ControlChange> changes = [];
        lock (_gate)
        {
            var gone = _participants.Values.Where(p => p.DisconnectedAt is { } at && now - at >= _reconnectGrace).ToList();
            foreach (var participant in gone)
            {
                _participants.Remove(participant.Id);
                SendLocked(Left(participant, "left"), _ => true);
                _logger.LogInformation("Participant {Participant} left", participant.Id);
                if (_control.Changed(participant.Id, this) is { } change)
                {
                    changes.Add(change);
                    AnnounceLocked(change);
                }
            }
            if (_idleTimeout > TimeSpan.Zero && _control.Holder is { } holder && _participants.TryGetValue(holder, out var h) &&
                now - h.LastInputAt >= _idleTimeout && _control.Idle(this) is { } idle)
            {
                changes.Add(idle);
                AnnounceLocked(idle);
            }
            if (gone.Count > 0 || changes.Count > 0)
            {
                BroadcastSnapshotLocked();
            }
        }
        changes.ForEach(Raise);
    }

    public (IReadOnlyList<ParticipantView> Participants, ControlView Control) Describe()
    {
        lock (_gate)
        {
            return (ViewsLocked(), ControlLocked());
        }
    }

    /// <summary>Everyone who has control now (copied text and file choosers go to them).</summary>
    public IReadOnlySet<string> Controllers()
    {
        lock (_gate)
        {
            return _control.Controllers(this).ToHashSet(StringComparer.Ordinal);
        }
    }

    /// <summary>Sends to every connection of everyone for whom <paramref name="to"/> is true.</summary>
    public void Send(object message, Func<Participant, bool> to)
    {
        lock (_gate)
        {
            SendLocked(message, to);
        }
    }

    private void SendLocked(object message, Func<Participant, bool> to)
    {
        var json = JsonSerializer.Serialize(message, ClientJson.Options);
        foreach (var participant in _participants.Values.Where(to))
        {
            foreach (var connection in participant.Connections)
            {
                connection.Send(json);
            }
        }
    }

    private void AfterChangeLocked(ControlChange? change)
    {
        if (change is not null)
        {
            AnnounceLocked(change);
        }
        BroadcastSnapshotLocked();
    }

    /// <summary>Tells everyone how control changed; a new holder gets a whole idle period.</summary>
    private void AnnounceLocked(ControlChange change)
    {
        if (change.ParticipantId is { } id && _participants.TryGetValue(id, out var subject) && _control.HasControl(id, this))
        {
            subject.LastInputAt = _time.GetUtcNow();
        }
        SendLocked(ControlEvent(ControlLocked(), change), _ => true);
    }

    private void BroadcastSnapshotLocked() => SendLocked(Snapshot(ViewsLocked(), ControlLocked()), _ => true);

    private List<ParticipantView> ViewsLocked() => [.. _participants.Values.OrderBy(p => p.JoinedAt).Select(View)];

    private ParticipantView View(Participant p) => new(p.Id, p.Name, p.Role, p.Color, p.Connected, p.Connections.Count,
        _control.HasControl(p.Id, this), _control.Requests.Contains(p.Id), p.JoinedAt, Quality(p), p.Hearing);

    private ControlView ControlLocked() =>
        new(_control.Mode, _control.Holder, _control.Controllers(this), [.. _control.Requests], (long)_idleTimeout.TotalMilliseconds);

    private void Raise(ControlChange? change)
    {
        if (change is not null)
        {
            ControlChanged?.Invoke(change);
        }
    }

    private static ControlRefusedException OperatorCannot(string action) =>
        new("participant_required", $"'{action}' is done by a participant, not through the API", 400);
}
