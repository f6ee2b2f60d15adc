using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Cdp;

namespace BrowserIsolation.Runner.Input;

/// <summary>
/// Injects validated input into the active tab with <c>Input.dispatch*</c>. Commands are posted in order without
/// waiting for each answer: a round trip costs ~17 ms and would otherwise cap input at 60 events/s.
/// </summary>
public sealed class InputDispatcher(CdpConnection cdp, TabManager tabs)
{
    private const int Alt = 1, Ctrl = 2, Meta = 4;
    private int _buttons;

    public void Dispatch(InputEvent input)
    {
        var session = tabs.Active?.SessionId ?? throw new InputException("no_tab", "no active tab");
        switch (input)
        {
            case MouseInput m:
                DispatchMouse(m, session);
                break;
            case ScrollInput s:
                cdp.Post("Input.dispatchMouseEvent", new
                {
                    type = "mouseWheel", x = s.X, y = s.Y, deltaX = s.DeltaX, deltaY = s.DeltaY, modifiers = s.Modifiers,
                    button = "none", buttons = _buttons,
                }, session);
                break;
            case KeyInput k:
                DispatchKey(k, session);
                break;
            case TextInput t:
                cdp.Post("Input.insertText", new { text = t.Text }, session);
                break;
        }
    }

    private void DispatchMouse(MouseInput m, string session)
    {
        var bit = m.Button switch { "left" => 1, "right" => 2, "middle" => 4, _ => 0 };
        var type = m.Kind switch { "mousedown" => "mousePressed", "mouseup" => "mouseReleased", _ => "mouseMoved" };
        if (type == "mousePressed")
        {
            _buttons |= bit;
        }
        // CDP reports the held button on moves, so drags select text and move sliders.
        var button = type == "mouseMoved" ? HeldButton() : m.Button;
        cdp.Post("Input.dispatchMouseEvent", new
        {
            type, x = m.X, y = m.Y, button, buttons = _buttons, modifiers = m.Modifiers,
            clickCount = type == "mouseMoved" ? 0 : Math.Max(1, m.ClickCount),
        }, session);
        if (type == "mouseReleased")
        {
            _buttons &= ~bit;
        }
    }

    private string HeldButton() => (_buttons & 1) != 0 ? "left" : (_buttons & 2) != 0 ? "right" : (_buttons & 4) != 0 ? "middle" : "none";

    private void DispatchKey(KeyInput k, string session)
    {
        var definition = KeyMap.Resolve(k.Key);
        var code = k.Code.Length > 0 ? k.Code : definition?.Code ?? "";
        var vk = definition?.VirtualKeyCode ?? 0;
        // With Ctrl/Alt/Meta held a key is a shortcut, not text (Ctrl+A selects, it doesn't type "a").
        var isShortcut = (k.Modifiers & (Alt | Ctrl | Meta)) != 0;
        var text = isShortcut ? null : definition?.Text;
        cdp.Post("Input.dispatchKeyEvent", new
        {
            type = k.Down ? (text is null ? "rawKeyDown" : "keyDown") : "keyUp",
            key = k.Key,
            code,
            windowsVirtualKeyCode = vk,
            nativeVirtualKeyCode = vk,
            modifiers = k.Modifiers,
            text = k.Down ? text : null,
            unmodifiedText = k.Down ? text : null,
            location = code is "ShiftRight" or "ControlRight" or "AltRight" or "MetaRight" ? 2 : code.StartsWith("Numpad", StringComparison.Ordinal) ? 3 : 0,
        }, session);
    }
}
