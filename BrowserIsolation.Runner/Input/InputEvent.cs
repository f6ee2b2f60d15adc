using System.Text.Json;

namespace BrowserIsolation.Runner.Input;

/// <summary>A validated client input event (reference format, see docs/protocol.md).</summary>
public abstract record InputEvent;

public sealed record MouseInput(string Kind, double X, double Y, string Button, int ClickCount, int Modifiers) : InputEvent;

public sealed record ScrollInput(double X, double Y, double DeltaX, double DeltaY, int Modifiers) : InputEvent;

public sealed record KeyInput(bool Down, string Key, string Code, int Modifiers) : InputEvent;

public sealed record TextInput(string Text) : InputEvent;

public sealed class InputException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>Parses and validates input JSON; anything wrong becomes an <see cref="InputException"/> with a clear message.</summary>
public static class InputParser
{
    public const int MaxTextLength = 4096;
    private const double MaxScrollDelta = 10_000;

    public static InputEvent Parse(JsonElement root, int width, int height)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InputException("invalid_json", "an input event must be a JSON object");
        }
        var type = RequiredString(root, "type", 32);
        return type switch
        {
            "mousemove" or "mousedown" or "mouseup" => new MouseInput(type,
                Coordinate(root, "x", width), Coordinate(root, "y", height), Button(root),
                OptionalInt(root, "clickCount", 1, 0, 3), Modifiers(root)),
            "scroll" or "wheel" => new ScrollInput(
                Coordinate(root, "x", width), Coordinate(root, "y", height),
                Delta(root, "deltaX"), Delta(root, "deltaY"), Modifiers(root)),
            "keydown" or "keyup" => new KeyInput(type == "keydown",
                RequiredString(root, "key", 32), OptionalString(root, "code", 32) ?? "", Modifiers(root)),
            "text" => new TextInput(RequiredString(root, "text", MaxTextLength, allowEmpty: false)),
            _ => throw new InputException("unknown_type", $"unknown input type '{Truncate(type)}'"),
        };
    }

    private static string RequiredString(JsonElement root, string name, int maxLength, bool allowEmpty = false) =>
        OptionalString(root, name, maxLength) is { } s && (allowEmpty || s.Length > 0)
            ? s
            : throw new InputException("missing_field", $"'{name}' must be a non-empty string");

    private static string? OptionalString(JsonElement root, string name, int maxLength)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new InputException("invalid_field", $"'{name}' must be a string");
        }
        var s = value.GetString()!;
        return s.Length <= maxLength ? s : throw new InputException("too_long", $"'{name}' is longer than {maxLength} characters");
    }

    /// <summary>Viewport coordinates; values just outside the viewport (a drag leaving the view) are clamped.</summary>
    private static double Coordinate(JsonElement root, string name, int limit)
    {
        var v = Number(root, name) ?? throw new InputException("missing_field", $"'{name}' must be a number");
        return Math.Clamp(v, 0, Math.Max(0, limit - 1));
    }

    private static double Delta(JsonElement root, string name) => Math.Clamp(Number(root, name) ?? 0, -MaxScrollDelta, MaxScrollDelta);

    private static double? Number(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            throw new InputException("invalid_field", $"'{name}' must be a finite number");
        }
        return d;
    }

    private static int OptionalInt(JsonElement root, string name, int fallback, int min, int max) =>
        Number(root, name) is { } d ? (int)Math.Clamp(d, min, max) : fallback;

    private static string Button(JsonElement root)
    {
        if (!root.TryGetProperty("button", out var b) || b.ValueKind == JsonValueKind.Null)
        {
            return "left";
        }
        return b.ValueKind switch
        {
            // DOM MouseEvent.button numbering.
            JsonValueKind.Number when b.TryGetInt32(out var n) => n switch
            {
                0 => "left", 1 => "middle", 2 => "right", -1 => "none",
                _ => throw new InputException("invalid_field", "'button' must be 0, 1 or 2"),
            },
            JsonValueKind.String when b.GetString() is "left" or "middle" or "right" or "none" => b.GetString()!,
            _ => throw new InputException("invalid_field", "'button' must be left, middle, right or none"),
        };
    }

    /// <summary>CDP bitmask (Alt 1, Ctrl 2, Meta 4, Shift 8), or an object of booleans.</summary>
    internal static int Modifiers(JsonElement root)
    {
        if (!root.TryGetProperty("modifiers", out var m) || m.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }
        if (m.ValueKind == JsonValueKind.Number && m.TryGetInt32(out var mask) && mask is >= 0 and <= 15)
        {
            return mask;
        }
        if (m.ValueKind == JsonValueKind.Object)
        {
            return (Flag(m, "alt") ? 1 : 0) | (Flag(m, "ctrl") ? 2 : 0) | (Flag(m, "meta") ? 4 : 0) | (Flag(m, "shift") ? 8 : 0);
        }
        throw new InputException("invalid_field", "'modifiers' must be a bitmask 0-15 or {alt,ctrl,meta,shift}");
    }

    private static bool Flag(JsonElement o, string name) => o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static string Truncate(string s) => s.Length > 32 ? s[..32] : s;
}
