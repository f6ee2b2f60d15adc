using System.Net;
using System.Text;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// The page a user sees instead of a refused address. Self-contained (inline CSS, no script, no external resource) so it
/// renders even though everything else is blocked; serve it with <see cref="ContentSecurityPolicy"/>.
/// Used by the egress proxy (plain HTTP) and by the CDP layer (Fetch.fulfillRequest for any URL).
/// </summary>
public static class BlockPage
{
    public const string Title = "Blocked by policy";

    /// <summary>The page runs in the blocked URL's origin: forbid it everything but its inline style.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

    /// <summary>Stable id of the element carrying the target, for tests and the CDP layer.</summary>
    public const string MarkerId = "browserisolation-blocked";

    public static string Render(string target, string reason)
    {
        var t = WebUtility.HtmlEncode(Shorten(target, 300));
        var r = WebUtility.HtmlEncode(Shorten(reason, 500));
        return $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <meta name="robots" content="noindex"><title>{{Title}}</title>
            <style>
            body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d2330}
            main{max-width:40rem;margin:12vh auto;padding:2rem 2.25rem;background:#fff;border-radius:12px;box-shadow:0 2px 12px #0002}
            h1{margin:0 0 .75rem;font-size:1.5rem;color:#b3261e}
            code{display:block;margin:.5rem 0 1rem;padding:.5rem .75rem;background:#f1f1f4;border-radius:6px;word-break:break-all}
            p{margin:.5rem 0}.muted{color:#5b6270;font-size:.9rem}
            </style></head>
            <body><main>
            <h1>This address is blocked</h1>
            <p>The remote browser did not open:</p>
            <code id="{{MarkerId}}">{{t}}</code>
            <p><strong>Why:</strong> <span id="{{MarkerId}}-reason">{{r}}</span></p>
            <p class="muted">Your administrator's policy keeps this browser away from internal networks, local files and
            blocked sites. If you need this address, ask them to allow it.</p>
            </main></body></html>
            """;
    }

    public static byte[] RenderUtf8(string target, string reason) => Encoding.UTF8.GetBytes(Render(target, reason));

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
