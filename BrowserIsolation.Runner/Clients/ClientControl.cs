using System.Text.Json;
using BrowserIsolation.Runner.Capture;
using BrowserIsolation.Runner.Input;

namespace BrowserIsolation.Runner.Clients;

/// <summary>Client messages about the connection itself rather than the page: frame delivery and keep-alive.</summary>
public static class ClientControl
{
    public static bool TryHandle(ClientConnection client, JsonElement message, FrameHub frames)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("type", out var type))
        {
            return false;
        }
        switch (type.GetString())
        {
            case "frames":
                // {"type":"frames","enabled":false} while WebRTC video is live; re-enabling sends the current picture.
                if (!message.TryGetProperty("enabled", out var enabled) || enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    throw new InputException("invalid_field", "'enabled' must be true or false");
                }
                client.WantsFrames = enabled.GetBoolean();
                if (client.WantsFrames && frames.Latest is { } latest)
                {
                    client.OfferFrame(latest);
                }
                return true;
            case "ping":
                client.SendJson(new { type = "pong" });
                return true;
            default:
                return false;
        }
    }
}
