namespace BrowserIsolation.Runner.Input;

/// <summary>Maps DOM <c>key</c>/<c>code</c> values to what <c>Input.dispatchKeyEvent</c> needs to act like a real keyboard.</summary>
public static class KeyMap
{
    public sealed record KeyDefinition(int VirtualKeyCode, string Code, string? Text);

    private static readonly Dictionary<string, KeyDefinition> Special = new(StringComparer.Ordinal)
    {
        ["Enter"] = new(13, "Enter", "\r"),
        ["Backspace"] = new(8, "Backspace", null),
        ["Tab"] = new(9, "Tab", null),
        ["Escape"] = new(27, "Escape", null),
        ["Delete"] = new(46, "Delete", null),
        ["Insert"] = new(45, "Insert", null),
        ["Home"] = new(36, "Home", null),
        ["End"] = new(35, "End", null),
        ["PageUp"] = new(33, "PageUp", null),
        ["PageDown"] = new(34, "PageDown", null),
        ["ArrowLeft"] = new(37, "ArrowLeft", null),
        ["ArrowUp"] = new(38, "ArrowUp", null),
        ["ArrowRight"] = new(39, "ArrowRight", null),
        ["ArrowDown"] = new(40, "ArrowDown", null),
        ["Shift"] = new(16, "ShiftLeft", null),
        ["Control"] = new(17, "ControlLeft", null),
        ["Alt"] = new(18, "AltLeft", null),
        ["Meta"] = new(91, "MetaLeft", null),
        ["CapsLock"] = new(20, "CapsLock", null),
        ["ContextMenu"] = new(93, "ContextMenu", null),
        [" "] = new(32, "Space", " "),
    };

    private static readonly Dictionary<char, (int Vk, string Code)> Punctuation = new()
    {
        [';'] = (186, "Semicolon"), [':'] = (186, "Semicolon"), ['='] = (187, "Equal"), ['+'] = (187, "Equal"),
        [','] = (188, "Comma"), ['<'] = (188, "Comma"), ['-'] = (189, "Minus"), ['_'] = (189, "Minus"),
        ['.'] = (190, "Period"), ['>'] = (190, "Period"), ['/'] = (191, "Slash"), ['?'] = (191, "Slash"),
        ['`'] = (192, "Backquote"), ['~'] = (192, "Backquote"), ['['] = (219, "BracketLeft"), ['{'] = (219, "BracketLeft"),
        ['\\'] = (220, "Backslash"), ['|'] = (220, "Backslash"), [']'] = (221, "BracketRight"), ['}'] = (221, "BracketRight"),
        ['\''] = (222, "Quote"), ['"'] = (222, "Quote"),
        ['!'] = (49, "Digit1"), ['@'] = (50, "Digit2"), ['#'] = (51, "Digit3"), ['$'] = (52, "Digit4"), ['%'] = (53, "Digit5"),
        ['^'] = (54, "Digit6"), ['&'] = (55, "Digit7"), ['*'] = (56, "Digit8"), ['('] = (57, "Digit9"), [')'] = (48, "Digit0"),
    };

    /// <summary>Resolves a key; null for keys we don't know (they are still sent, without a key code).</summary>
    public static KeyDefinition? Resolve(string key)
    {
        if (Special.TryGetValue(key, out var special))
        {
            return special;
        }
        if (key.Length >= 2 && key[0] == 'F' && int.TryParse(key.AsSpan(1), out var f) && f is >= 1 and <= 24)
        {
            return new KeyDefinition(111 + f, key, null);
        }
        if (key.Length != 1 && !(key.Length == 2 && char.IsSurrogatePair(key, 0)))
        {
            return null;
        }
        var c = key[0];
        if (char.IsAsciiLetter(c))
        {
            return new KeyDefinition(char.ToUpperInvariant(c), $"Key{char.ToUpperInvariant(c)}", key);
        }
        if (char.IsAsciiDigit(c))
        {
            return new KeyDefinition(c, $"Digit{c}", key);
        }
        if (Punctuation.TryGetValue(c, out var p))
        {
            return new KeyDefinition(p.Vk, p.Code, key);
        }
        // Any other printable character (accented letters, symbols): text only.
        return new KeyDefinition(0, "", key);
    }
}
