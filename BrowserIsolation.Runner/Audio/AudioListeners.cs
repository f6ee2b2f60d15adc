using System.Text.Json;
using BrowserIsolation.Runner.Clients;
using BrowserIsolation.Runner.Input;
using BrowserIsolation.Runner.Participants;

namespace BrowserIsolation.Runner.Audio;

/// <summary>
/// A client's <c>{"type":"audio","hearing":bool,"frames":bool}</c>: whether it plays the sound (the participants panel
/// shows who hears) and whether its WebSocket should carry the Opus frames (the fallback; WebRTC has its own track).
/// </summary>
public sealed class AudioListeners(AudioPipeline pipeline, ParticipantRegistry registry)
{
    public bool TryHandle(ClientConnection client, JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("type", out var type) || type.GetString() != "audio")
        {
            return false;
        }
        var hearing = Flag(message, "hearing") ?? throw new InputException("invalid_field", "'hearing' must be true or false");
        var frames = Flag(message, "frames") ?? false;
        if (frames && !pipeline.IsAvailable)
        {
            throw new InputException("audio_unavailable", "this session has no sound");
        }
        registry.SetHearing(client, hearing);
        var wanted = frames && hearing;
        if (wanted != client.ReceivesAudio)
        {
            client.ReceiveAudio(wanted ? pipeline : null);
        }
        return true;
    }

    private static bool? Flag(JsonElement message, string name) =>
        !message.TryGetProperty(name, out var value) ? null
        : value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InputException("invalid_field", $"'{name}' must be true or false"),
        };
}
