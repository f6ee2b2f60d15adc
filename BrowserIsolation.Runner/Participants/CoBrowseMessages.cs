using System.Text.Json;
using BrowserIsolation.Runner.Clients;
using BrowserIsolation.Runner.Input;
using BrowserIsolation.Runner.Policy;
using BrowserIsolation.Runner.Viewport;

namespace BrowserIsolation.Runner.Participants;

/// <summary>
/// The co-browsing side of a client's messages (docs/protocol.md, "Co-browsing"): control actions, pointer presence,
/// quality reports, paste and the owner's window size; and the gate every input event passes before it reaches the page.
/// </summary>
public sealed class CoBrowseMessages(ParticipantRegistry registry, CursorRelay cursors, UrlPolicyHolder policy, ViewportFollower viewport)
{
    public const int MaxPasteLength = InputParser.MaxTextLength;

    /// <summary>A connection opened: it joins the session (false when its participant was removed) and learns the viewport mode.</summary>
    public bool Join(ClientConnection client)
    {
        if (!registry.TryJoin(client))
        {
            return false;
        }
        client.SendJson(new { type = "viewport", width = viewport.Width, height = viewport.Height, mode = viewport.Mode });
        return true;
    }

    public void Leave(ClientConnection client) => registry.Leave(client);

    public bool IsRemoved(string participantId) => registry.IsRemoved(participantId);

    /// <summary>
    /// True when the message was handled here. False with <paramref name="input"/> set: an input event to carry out
    /// (a paste becomes text). False without: not a co-browsing message.
    /// </summary>
    public bool TryHandle(ClientConnection client, JsonElement message, out InputEvent? input)
    {
        input = null;
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            return false;
        }
        switch (type.GetString())
        {
            case "control":
                Control(client, message);
                return true;
            case "cursor":
                if (message.TryGetProperty("hidden", out var hidden) && hidden.ValueKind == JsonValueKind.True)
                {
                    cursors.Hide(client.Participant);
                }
                else
                {
                    cursors.Move(client.Participant, Number(message, "x", 0, 100_000), Number(message, "y", 0, 100_000));
                }
                return true;
            case "stats":
                registry.ReportQuality(client.Participant, new ConnectionQuality(
                    Text(message, "transport", 16) ?? "unknown", Number(message, "fps", 0, 1000), Number(message, "kbps", 0, 10_000_000),
                    message.TryGetProperty("rttMs", out var rtt) && rtt.ValueKind == JsonValueKind.Number ? Number(message, "rttMs", 0, 600_000) : null,
                    DateTimeOffset.UtcNow));
                return true;
            case "paste":
                if (!policy.Current.AllowPasteIn)
                {
                    throw new InputException("paste_blocked", "the session's policy does not allow pasting into the remote browser");
                }
                input = new TextInput(Text(message, "text", MaxPasteLength) is { Length: > 0 } text
                    ? text
                    : throw new InputException("missing_field", "'text' must be a non-empty string"));
                return false;
            case "viewport-size":
                viewport.OfferOwnerSize(client, (int)Number(message, "width", 0, 100_000), (int)Number(message, "height", 0, 100_000));
                return true;
            case "viewport-mode":
                viewport.SetMode(client, Text(message, "mode", 16) switch
                {
                    "fixed" => ViewportMode.Fixed,
                    "follow-owner" => ViewportMode.FollowOwner,
                    _ => throw new InputException("invalid_field", "'mode' must be fixed or follow-owner"),
                });
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Whether an input event may reach the page. Every pointer move shows as this participant's cursor to the others;
    /// a move without control goes no further. Anything else without control is refused: <c>forbidden</c> for a viewer,
    /// <c>no_control</c> for a controller while someone else holds it.
    /// </summary>
    public bool Admit(ClientConnection client, InputEvent input)
    {
        if (input is MouseInput { Kind: "mousemove" } move)
        {
            cursors.Move(client.Participant, move.X, move.Y);
            return registry.HasControl(client.Participant);
        }
        if (registry.MayInput(client.Participant, acquire: true))
        {
            return true;
        }
        if (!ParticipantRoles.MayControl(registry.RoleOf(client.Participant)))
        {
            throw new InputException("forbidden", "viewers cannot send input");
        }
        throw new InputException("no_control", "someone else has control: ask for it first");
    }

    /// <summary>After the page got the input: the idle timeout starts again, and a press ripples for everyone.</summary>
    public void Dispatched(ClientConnection client, InputEvent input)
    {
        registry.NoteInput(client.Participant);
        if (input is MouseInput { Kind: "mousedown" } press)
        {
            cursors.Click(client.Participant, press.X, press.Y, press.Button);
        }
    }

    private void Control(ClientConnection client, JsonElement message)
    {
        var action = Text(message, "action", 16) ?? throw new InputException("missing_field", "'action' must be a string");
        var target = Text(message, "participantId", 64);
        ControlMode? mode = Text(message, "mode", 16) switch
        {
            null => null,
            "exclusive" => ControlMode.Exclusive,
            "shared" => ControlMode.Shared,
            _ => throw new InputException("invalid_field", "'mode' must be exclusive or shared"),
        };
        try
        {
            registry.Control(client.Participant, action, target, mode);
        }
        catch (ControlRefusedException ex)
        {
            throw new InputException(ex.Code, ex.Message);
        }
    }

    private static string? Text(JsonElement message, string name, int maxLength)
    {
        if (!message.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new InputException("invalid_field", $"'{name}' must be a string");
        }
        var text = value.GetString()!;
        return text.Length <= maxLength ? text : throw new InputException("too_long", $"'{name}' is longer than {maxLength} characters");
    }

    private static double Number(JsonElement message, string name, double min, double max)
    {
        if (!message.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            throw new InputException("invalid_field", $"'{name}' must be a finite number");
        }
        return Math.Clamp(d, min, max);
    }
}
