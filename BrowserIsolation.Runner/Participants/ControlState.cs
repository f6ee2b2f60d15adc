namespace BrowserIsolation.Runner.Participants;

/// <summary>
/// Who may drive the browser: the pure state machine behind co-browsing control (docs/protocol.md, "Co-browsing").
/// In exclusive mode one holder drives; a request while nobody holds control is granted at once, otherwise it waits
/// for the holder or an owner to grant it; an owner can take control at any time; when the holder releases it, leaves,
/// or loses the role, it passes to the oldest waiting request; the idle timeout passes it to the oldest request or back
/// to an owner. In shared mode every controller and owner present drives. While nobody holds control, the first
/// controller or owner to use the page takes it (see ParticipantRegistry.MayInput), so a session with one person works
/// without asking. Not thread-safe: the registry serialises calls.
/// An actor of null is the operator (the API with an API key), who may do what an owner may.
/// </summary>
public sealed class ControlState(ControlMode mode)
{
    private readonly List<string> _requests = [];

    public ControlMode Mode { get; private set; } = mode;

    /// <summary>The exclusive holder (always null in shared mode).</summary>
    public string? Holder { get; private set; }

    /// <summary>Waiting requests, oldest first.</summary>
    public IReadOnlyList<string> Requests => _requests;

    public bool HasControl(string participantId, IRoster roster) =>
        ParticipantRoles.MayControl(roster.RoleOf(participantId)) && (Mode == ControlMode.Shared || Holder == participantId);

    /// <summary>Everyone whose input is accepted now.</summary>
    public IReadOnlyList<string> Controllers(IRoster roster) => Mode == ControlMode.Shared
        ? [.. roster.Present.Where(p => ParticipantRoles.MayControl(roster.RoleOf(p)))]
        : Holder is { } holder && ParticipantRoles.MayControl(roster.RoleOf(holder)) ? [holder] : [];

    public ControlChange? Request(string actor, IRoster roster)
    {
        RequireMayControl(actor, roster);
        if (Mode == ControlMode.Shared || Holder == actor)
        {
            return null;
        }
        if (Holder is null)
        {
            Holder = actor;
            _requests.Remove(actor);
            return new ControlChange("granted", actor, actor);
        }
        if (_requests.Contains(actor))
        {
            return null;
        }
        _requests.Add(actor);
        return new ControlChange("requested", actor, actor);
    }

    public ControlChange? Cancel(string actor) =>
        _requests.Remove(actor) ? new ControlChange("cancelled", actor, actor) : null;

    public ControlChange? Grant(string? actor, string target, IRoster roster)
    {
        RequireExclusive();
        if (actor is not null && actor != Holder && !IsOwner(actor, roster))
        {
            throw new ControlRefusedException("not_allowed", "only the participant in control or an owner can hand control over", 403);
        }
        RequireMayControl(target, roster);
        if (Holder == target)
        {
            return null;
        }
        var previous = Holder;
        Holder = target;
        _requests.Remove(target);
        return new ControlChange("granted", target, actor, previous);
    }

    public ControlChange? Deny(string? actor, string target, IRoster roster)
    {
        if (actor is not null && actor != Holder && !IsOwner(actor, roster))
        {
            throw new ControlRefusedException("not_allowed", "only the participant in control or an owner can turn a request down", 403);
        }
        return _requests.Remove(target) ? new ControlChange("denied", target, actor) : null;
    }

    public ControlChange? Take(string actor, IRoster roster)
    {
        if (!IsOwner(actor, roster))
        {
            throw new ControlRefusedException("not_allowed", "only an owner can take control; ask for it instead", 403);
        }
        if (Mode == ControlMode.Shared || Holder == actor)
        {
            return null;
        }
        var previous = Holder;
        Holder = actor;
        _requests.Remove(actor);
        return new ControlChange("taken", actor, actor, previous);
    }

    public ControlChange? Release(string actor, IRoster roster)
    {
        if (Mode == ControlMode.Shared)
        {
            return null;
        }
        if (Holder != actor)
        {
            throw new ControlRefusedException("not_in_control", "you do not have control");
        }
        var next = HandOn(roster);
        return new ControlChange("released", next, actor, actor);
    }

    /// <summary>An owner (or the operator) takes control away from <paramref name="target"/> without taking it: control is free.</summary>
    public ControlChange? Revoke(string? actor, string target, IRoster roster)
    {
        if (actor is not null && !IsOwner(actor, roster))
        {
            throw new ControlRefusedException("not_allowed", "only an owner can take control away", 403);
        }
        RequireExclusive();
        if (Holder != target)
        {
            return null;
        }
        Holder = null;
        return new ControlChange("revoked", target, actor, target);
    }

    /// <summary>The holder has been idle too long: control goes to the oldest request, else back to an owner.</summary>
    public ControlChange? Idle(IRoster roster)
    {
        if (Mode == ControlMode.Shared || Holder is not { } holder)
        {
            return null;
        }
        var next = FirstRequest(roster) ?? roster.Present.FirstOrDefault(p => p != holder && roster.RoleOf(p) == ParticipantRoles.Owner);
        if (next is null)
        {
            return null; // nobody to hand it to: the holder keeps it
        }
        Holder = next;
        _requests.Remove(next);
        return new ControlChange("idle", next, null, holder);
    }

    /// <summary>The participant left, or its role changed: a viewer can neither hold nor wait for control.</summary>
    public ControlChange? Changed(string participantId, IRoster roster)
    {
        if (ParticipantRoles.MayControl(roster.RoleOf(participantId)))
        {
            return null;
        }
        _requests.Remove(participantId);
        if (Holder != participantId)
        {
            return null;
        }
        var next = HandOn(roster);
        return new ControlChange("left", next, null, participantId);
    }

    public ControlChange? SetMode(string? actor, ControlMode mode, IRoster roster)
    {
        if (actor is not null && !IsOwner(actor, roster))
        {
            throw new ControlRefusedException("not_allowed", "only an owner can change the control mode", 403);
        }
        if (mode == Mode)
        {
            return null;
        }
        var previous = Holder;
        Mode = mode;
        _requests.Clear();
        // Back to exclusive: the owner who switched drives (with the operator, the first owner present).
        Holder = mode == ControlMode.Exclusive ? actor ?? roster.Present.FirstOrDefault(p => IsOwner(p, roster)) : null;
        return new ControlChange("mode", Holder, actor, previous);
    }

    private string? HandOn(IRoster roster)
    {
        Holder = FirstRequest(roster);
        if (Holder is not null)
        {
            _requests.Remove(Holder);
        }
        return Holder;
    }

    private string? FirstRequest(IRoster roster) => _requests.FirstOrDefault(p => ParticipantRoles.MayControl(roster.RoleOf(p)));

    private static bool IsOwner(string participantId, IRoster roster) => roster.RoleOf(participantId) == ParticipantRoles.Owner;

    private void RequireExclusive()
    {
        if (Mode == ControlMode.Shared)
        {
            throw new ControlRefusedException("shared_mode", "control is shared: every controller already has it");
        }
    }

    private static void RequireMayControl(string participantId, IRoster roster)
    {
        switch (roster.RoleOf(participantId))
        {
            case null:
                throw new ControlRefusedException("participant_not_found", "that participant is not in the session", 404);
            case var role when !ParticipantRoles.MayControl(role):
                throw new ControlRefusedException("viewer_cannot_control", "a viewer cannot have control; an owner can change its role", 403);
        }
    }
}
