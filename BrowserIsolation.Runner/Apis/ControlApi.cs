using System.Text.Json;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Cdp;
using BrowserIsolation.Runner.Control;

namespace BrowserIsolation.Runner.Apis;

/// <summary>The browser control endpoints the orchestrator forwards to (docs/protocol.md, "Runner HTTP API").</summary>
public static class ControlApi
{
    public sealed record NavigateRequest(string? Url, string? TabId);

    public sealed record TabRequest(string? TabId);

    public sealed record OpenTabRequest(string? Url);

    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/control/navigate", (HttpContext c, BrowserControl control) => RunAsync(c, async ct =>
        {
            var body = await ReadAsync<NavigateRequest>(c, ct) ?? new NavigateRequest(null, null);
            return Results.Ok(await control.NavigateAsync(body.Url, body.TabId, ct));
        }));
        app.MapPost("/control/back", (HttpContext c, BrowserControl control) => RunAsync(c, async ct =>
            Results.Ok(await control.BackAsync((await ReadAsync<TabRequest>(c, ct))?.TabId, ct))));
        app.MapPost("/control/forward", (HttpContext c, BrowserControl control) => RunAsync(c, async ct =>
            Results.Ok(await control.ForwardAsync((await ReadAsync<TabRequest>(c, ct))?.TabId, ct))));
        app.MapPost("/control/reload", (HttpContext c, BrowserControl control) => RunAsync(c, async ct =>
            Results.Ok(await control.ReloadAsync((await ReadAsync<TabRequest>(c, ct))?.TabId, ct))));
        app.MapPost("/control/reset", (HttpContext c, BrowserControl control) => RunAsync(c, async ct =>
            Results.Ok(await control.ResetAsync(ct))));
        app.MapGet("/tabs", (HttpContext c, BrowserControl control) => RunAsync(c, _ =>
            Task.FromResult(Results.Ok(new { tabs = control.ListTabs() }))));
        app.MapPost("/tabs", (HttpContext c, BrowserControl control) => RunAsync(c, async ct =>
        {
            var tab = await control.OpenTabAsync((await ReadAsync<OpenTabRequest>(c, ct))?.Url, ct);
            return Results.Created($"/tabs/{tab.TabId}", tab);
        }));
        app.MapDelete("/tabs/{tabId}", (string tabId, HttpContext c, BrowserControl control) => RunAsync(c, async ct =>
        {
            await control.CloseTabAsync(tabId, ct);
            return Results.NoContent();
        }));
        app.MapPost("/tabs/{tabId}/activate", (string tabId, HttpContext c, BrowserControl control) => RunAsync(c, async ct =>
            Results.Ok(await control.ActivateTabAsync(tabId, ct))));
        return app;
    }

    /// <summary>Runs a control action once the browser is up, turning every failure into a problem.</summary>
    internal static async Task<IResult> RunAsync(HttpContext context, Func<CancellationToken, Task<IResult>> action)
    {
        var browser = context.RequestServices.GetRequiredService<BrowserHost>();
        if (!browser.IsReady)
        {
            return Problem(503, "browser_unavailable", "the browser is not ready");
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            return await action(timeout.Token);
        }
        catch (ControlException ex)
        {
            return Problem(ex.Status, ex.Code, ex.Message, ex.Extensions);
        }
        catch (BadBodyException ex)
        {
            return Problem(400, ex.Code, ex.Message);
        }
        catch (CdpException ex)
        {
            return Problem(502, "browser_error", $"the browser refused: {ex.Message}");
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            return Problem(504, "browser_timeout", "the browser did not answer in time");
        }
    }

    internal static IResult Problem(int status, string code, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["code"] = code };
        return Results.Problem(detail: detail, statusCode: status, title: status switch
        {
            400 => "Invalid request",
            403 => "Blocked by policy",
            404 => "Not found",
            409 => "Not possible now",
            _ => "Browser error",
        }, extensions: all);
    }

    internal sealed class BadBodyException(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }

    /// <summary>The JSON body as <typeparamref name="T"/>, or null when there is none.</summary>
    internal static async Task<T?> ReadAsync<T>(HttpContext context, CancellationToken cancellationToken) where T : class
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
        {
            return null;
        }
        if (buffer.Length > 1024 * 1024)
        {
            throw new BadBodyException("payload_too_large", "the body is too large");
        }
        try
        {
            return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), JsonSerializerOptions.Web);
        }
        catch (JsonException ex)
        {
            throw new BadBodyException("invalid_json", $"the body is not valid JSON for this request: {ex.Message.Split(". ")[0]}");
        }
    }
}
