using System.Net.WebSockets;
using BrowserIsolation.ServiceDefaults.Discovery;
using BrowserIsolation.ServiceDefaults.Relay;

namespace BrowserIsolation.Web.Proxy;

/// <summary>
/// Forwards <c>/api/*</c> and <c>/ws/*</c> to the orchestrator, so the UI talks to one origin whether it is served by
/// the orchestrator (embedded default) or by this host (the Aspire composition).
/// </summary>
public static class OrchestratorProxy
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "TE", "Trailer", "Host",
    };

    public static IEndpointRouteBuilder MapOrchestratorProxy(this IEndpointRouteBuilder app)
    {
        app.Map("/api/{**rest}", ForwardHttpAsync);
        app.Map("/ws/{**rest}", ForwardWebSocketAsync);
        return app;
    }

    /// <summary>The orchestrator's base URL: Aspire's service discovery, else <c>Orchestrator:Url</c>.</summary>
    private static Uri Orchestrator(HttpContext context) =>
        context.RequestServices.GetRequiredService<ServiceEndpoints>().Resolve("orchestrator")
        ?? (Uri.TryCreate(context.RequestServices.GetRequiredService<IConfiguration>()["Orchestrator:Url"], UriKind.Absolute, out var u)
            ? u
            : new Uri("http://localhost:8090"));

    private static Uri Target(HttpContext context, string scheme)
    {
        var baseUri = Orchestrator(context);
        return new UriBuilder(baseUri)
        {
            Scheme = scheme == "ws" ? (baseUri.Scheme == "https" ? "wss" : "ws") : baseUri.Scheme,
            Path = context.Request.Path,
            Query = context.Request.QueryString.Value?.TrimStart('?') ?? "",
        }.Uri;
    }

    /// <summary>
    /// The orchestrator refuses cross-site origins (WebSocket hijacking, CSRF). A page of this host is same-site here, so it
    /// reaches the orchestrator as the orchestrator's own origin; any other origin passes as it is, for it to judge.
    /// </summary>
    private static string? ForwardedOrigin(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return null;
        }
        var own = $"{context.Request.Scheme}://{context.Request.Host}";
        return string.Equals(origin.TrimEnd('/'), own, StringComparison.OrdinalIgnoreCase)
            ? Orchestrator(context).GetLeftPart(UriPartial.Authority)
            : origin;
    }

    private static async Task ForwardHttpAsync(HttpContext context, IHttpClientFactory clients)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), Target(context, "http"));
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
        }
        foreach (var (name, values) in context.Request.Headers)
        {
            if (HopByHop.Contains(name) || name.Equals("Origin", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values);
            }
        }
        if (ForwardedOrigin(context) is { } origin)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient("orchestrator").SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException ex)
        {
            await Results.Problem(statusCode: 502, title: "Orchestrator unavailable", detail: ex.Message).ExecuteAsync(context);
            return;
        }
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(name))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    private static async Task ForwardWebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(statusCode: 400, title: "WebSocket required", detail: "connect with a WebSocket upgrade").ExecuteAsync(context);
            return;
        }
        using var upstream = new ClientWebSocket();
        foreach (var name in new[] { "Authorization", "Cookie", "User-Agent" })
        {
            if (context.Request.Headers.TryGetValue(name, out var value))
            {
                upstream.Options.SetRequestHeader(name, value.ToString());
            }
        }
        if (ForwardedOrigin(context) is { } origin)
        {
            upstream.Options.SetRequestHeader("Origin", origin);
        }
        upstream.Options.CollectHttpResponseDetails = true;
        try
        {
            await upstream.ConnectAsync(Target(context, "ws"), context.RequestAborted);
        }
        catch (WebSocketException)
        {
            // Pass the orchestrator's refusal (404, 401, 409...) through as it was.
            var status = upstream.HttpStatusCode == 0 ? System.Net.HttpStatusCode.BadGateway : upstream.HttpStatusCode;
            await Results.Problem(statusCode: (int)status, title: "WebSocket refused", detail: "the orchestrator refused the connection")
                .ExecuteAsync(context);
            return;
        }
        using var client = await context.WebSockets.AcceptWebSocketAsync();
        var up = WebSocketPump.RunAsync(client, upstream);
        var down = WebSocketPump.RunAsync(upstream, client);
        var first = await Task.WhenAny(up, down);
        await WebSocketPump.CloseAsync(first == down ? client : upstream, "peer closed");
        await Task.WhenAny(Task.WhenAll(up, down), Task.Delay(TimeSpan.FromSeconds(2)));
        client.Abort();
        upstream.Abort();
    }
}
