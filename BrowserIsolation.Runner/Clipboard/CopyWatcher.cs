using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Cdp;
using BrowserIsolation.Runner.Participants;
using BrowserIsolation.Runner.Policy;

namespace BrowserIsolation.Runner.Clipboard;

/// <summary>
/// Copy out of the remote page: a listener in an isolated world (invisible to the page) sees every <c>copy</c>/<c>cut</c>
/// (Ctrl+C on a selection, a page's own "copy" button) and reports the text through a binding only that world has.
/// The text goes to whoever has control, as <c>{"type":"clipboard","text"}</c>, when the policy allows copying out;
/// otherwise they get a <c>copy_blocked</c> error. Only the active tab counts: it is the one people see and use.
/// </summary>
public sealed class CopyWatcher(ParticipantRegistry registry, UrlPolicyHolder policy, ILogger<CopyWatcher> logger) : IBrowserConcern
{
    public const string WorldName = "bi-clipboard";
    public const string BindingName = "__biCopied";
    public const int MaxTextLength = 256 * 1024;

    // Capture sees the selection before the page can change it; the window's bubble phase runs after the page's own
    // handlers, so text a page put on the clipboard itself (preventDefault + setData) wins. Inputs keep their selection
    // outside getSelection().
    private const string Listener = """
        (() => {
          let pending = null;
          const selected = () => {
            const el = document.activeElement;
            if (el && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && /^(text|search|url|tel|email|password|number)?$/i.test(el.type))) &&
                typeof el.selectionStart === 'number' && el.selectionEnd > el.selectionStart) {
              return el.type === 'password' ? '' : el.value.substring(el.selectionStart, el.selectionEnd);
            }
            return String(getSelection() || '');
          };
          const report = () => { if (pending) __biCopied(pending); pending = null; };
          for (const type of ['copy', 'cut']) {
            addEventListener(type, () => { pending = selected(); setTimeout(report, 0); }, true);
            addEventListener(type, (e) => {
              const data = e.defaultPrevented && e.clipboardData ? e.clipboardData.getData('text/plain') : '';
              if (data) pending = data;
            }, false);
          }
        })();
        """;

    private TabManager? _tabs;
    private long _lastSentTicks;

    public Task AttachAsync(ChromiumProcess chromium, TabManager tabs, CancellationToken cancellationToken)
    {
        _tabs = tabs;
        tabs.TabAttaching += (tab, ct) => SetUpAsync(chromium.Cdp, tab, ct);
        chromium.Cdp.EventReceived += OnEvent;
        return Task.CompletedTask;
    }

    private async Task SetUpAsync(CdpConnection cdp, BrowserTab tab, CancellationToken cancellationToken)
    {
        try
        {
            await cdp.SendAsync("Page.addScriptToEvaluateOnNewDocument", new { source = Listener, worldName = WorldName }, tab.SessionId, cancellationToken);
            await cdp.SendAsync("Runtime.addBinding", new { name = BindingName, executionContextName = WorldName }, tab.SessionId, cancellationToken);
            // Bindings reach contexts created later (every new document's world) only with the Runtime domain on.
            await cdp.SendAsync("Runtime.enable", sessionId: tab.SessionId, cancellationToken: cancellationToken);
        }
        catch (CdpException ex)
        {
            logger.LogDebug("Clipboard watch on tab {TargetId}: {Message}", tab.TargetId, ex.Message);
        }
    }

    private void OnEvent(CdpEvent e)
    {
        if (e.Method != "Runtime.bindingCalled" || e.SessionId is null ||
            e.Params.GetProperty("name").GetString() != BindingName || _tabs?.Active?.SessionId != e.SessionId)
        {
            return;
        }
        var text = e.Params.GetProperty("payload").GetString() ?? "";
        if (text.Length == 0)
        {
            return;
        }
        // A page can fire copy events in a loop (each needs a user gesture, but still): ten a second at most.
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _lastSentTicks) < 100)
        {
            return;
        }
        Interlocked.Exchange(ref _lastSentTicks, now);
        var controllers = registry.Controllers();
        if (!policy.Current.AllowCopyOut)
        {
            registry.Send(new { type = "error", code = "copy_blocked", message = "the session's policy does not allow copying out of the remote browser" },
                p => controllers.Contains(p.Id));
            return;
        }
        var truncated = text.Length > MaxTextLength;
        registry.Send(new { type = "clipboard", text = truncated ? text[..MaxTextLength] : text, truncated }, p => controllers.Contains(p.Id));
    }
}
