using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.Tests.Fixtures;

/// <summary>
/// The operator-allowed site the security tests serve content from (127.0.0.2): pages added at run time, a redirector,
/// a download, and a report endpoint pages post their findings to.
/// </summary>
public sealed class ContentSite : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _pages = new();

    private ContentSite(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public ConcurrentQueue<string> Reports { get; } = new();

    public ConcurrentQueue<string> Hits { get; } = new();

    public string Url(string path) => new Uri(BaseUri, path).AbsoluteUri;

    /// <summary>Serves <paramref name="html"/> at <paramref name="path"/> and returns its URL.</summary>
    public string Page(string path, string html)
    {
        _pages[path] = html;
        return Url(path);
    }

    /// <summary>A page with a title and a solid colour: easy to recognise in tabs and frames.</summary>
    public string TitledPage(string path, string title, string color = "rgb(0,128,255)") =>
        Page(path, $"<!doctype html><title>{title}</title><body style='margin:0;background:{color}'><h1>{title}</h1></body>");

    public string RedirectTo(string target) => Url("/redirect?to=" + Uri.EscapeDataString(target));

    public static async Task<ContentSite> StartAsync(string address = TestSite.DefaultAddress)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{address}:0");
        var app = builder.Build();
        var site = new ContentSite(app);
        app.Use(async (context, next) =>
        {
            site.Hits.Enqueue(context.Request.Path + context.Request.QueryString);
            await next(context);
        });
        app.MapGet("/redirect", (string to) => Results.Redirect(to));
        app.MapGet("/report", (string? what) =>
        {
            site.Reports.Enqueue(what ?? "");
            return Results.Ok();
        });
        app.MapGet("/download", () => Results.File("secret-report"u8.ToArray(), "application/octet-stream", "report.bin"));
        app.MapGet("/download-bytes/{size:int}", (int size) => Results.File(new byte[Math.Clamp(size, 0, 16 << 20)], "application/octet-stream", $"{size}.bin"));
        app.MapGet("/{**path}", (string? path) => site._pages.TryGetValue("/" + path, out var html)
            ? Results.Content(html, "text/html; charset=utf-8")
            : Results.NotFound());
        await app.StartAsync();
        site.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return site;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
