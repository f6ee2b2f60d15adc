using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>
/// The operator-allowed test site on 127.0.0.2: plain HTTP and HTTPS (self-signed), pages registered by the test,
/// /hello, /redirect?to=, /echo (POST) and /ws (WebSocket echo).
/// </summary>
public sealed class ContentServer : IAsyncDisposable
{
    public static readonly IPAddress Address = IPAddress.Parse("127.0.0.2");

    private readonly WebApplication _app;
    private int _hits;

    private ContentServer(WebApplication app, int httpPort, int httpsPort)
    {
        _app = app;
        HttpPort = httpPort;
        HttpsPort = httpsPort;
    }

    public int HttpPort { get; }

    public int HttpsPort { get; }

    public int Hits => Volatile.Read(ref _hits);

    public string Http => $"http://127.0.0.2:{HttpPort}";

    public string Https => $"https://127.0.0.2:{HttpsPort}";

    public ConcurrentDictionary<string, string> Pages { get; } = new();

    public static async Task<ContentServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.2", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(Address);
        request.CertificateExtensions.Add(san.Build());
        var cert = X509CertificateLoader.LoadPkcs12(
            request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)).Export(X509ContentType.Pfx), null);
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(Address, 0);
            o.Listen(Address, 0, l => l.UseHttps(cert));
        });
        var app = builder.Build();
        ContentServer? self = null;
        app.Use(async (ctx, next) =>
        {
            Interlocked.Increment(ref self!._hits);
            await next();
        });
        app.UseWebSockets();
        app.MapGet("/hello", () => Results.Content("<!doctype html><title>hello</title><body><p id=hello>hello from content</p></body>", "text/html"));
        app.MapGet("/ok", (HttpContext ctx) =>
        {
            ctx.Response.Headers.AccessControlAllowOrigin = "*";
            return "ok";
        });
        app.MapGet("/redirect", (string to) => Results.Redirect(to));
        app.MapPost("/echo", async (HttpContext ctx) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            return "echo:" + await reader.ReadToEndAsync();
        });
        app.Map("/ws", async (HttpContext ctx) =>
        {
            if (!ctx.WebSockets.IsWebSocketRequest)
            {
                ctx.Response.StatusCode = 400;
                return;
            }
            using var ws = await ctx.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var result = await ws.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }
                await ws.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
            }
        });
        app.MapGet("/{**path}", (HttpContext ctx) => self!.Pages.TryGetValue(ctx.Request.Path.Value ?? "", out var html)
            ? Results.Content(html, "text/html")
            : Results.NotFound());
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var http = new Uri(addresses.First(a => a.StartsWith("http:", StringComparison.Ordinal))).Port;
        var https = new Uri(addresses.First(a => a.StartsWith("https:", StringComparison.Ordinal))).Port;
        self = new ContentServer(app, http, https);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
