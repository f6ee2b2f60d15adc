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
/// The tests' own web site on a loopback address: pages with known colours and behaviours for the remote browser
/// to load, and a hit log so tests can see what the browser fetched.
/// </summary>
public sealed class TestSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestSite(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public ConcurrentQueue<string> Hits { get; } = new();

    public string Url(string path) => new Uri(BaseUri, path).AbsoluteUri;

    public static async Task<TestSite> StartAsync(string address = "127.0.0.1", IDictionary<string, string>? extraPages = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{address}:0");
        var app = builder.Build();
        TestSite? site = null;
        app.Use(async (context, next) =>
        {
            site?.Hits.Enqueue(context.Request.Path + context.Request.QueryString);
            await next(context);
        });
        foreach (var (path, html) in Pages.All.Concat(extraPages ?? new Dictionary<string, string>()))
        {
            app.MapGet(path, () => Results.Content(html, "text/html; charset=utf-8"));
        }
        await app.StartAsync();
        var uri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        site = new TestSite(app, uri);
        return site;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Known pages. Colours are pure so a JPEG pixel check is unambiguous.</summary>
    public static class Pages
    {
        public const string Red = "/red";
        public const string ClickToBlue = "/click";
        public const string TypeInto = "/type";
        public const string Animated = "/animated";
        public const string Storage = "/storage";

        public static readonly Dictionary<string, string> All = new()
        {
            [Red] = "<!doctype html><title>red</title><body style='margin:0;background:rgb(255,0,0)'></body>",
            [ClickToBlue] = """
                <!doctype html><title>click</title>
                <body style='margin:0;height:100vh;background:rgb(255,0,0)'
                      onmousedown="document.body.style.background='rgb(0,0,255)';document.title='clicked'"></body>
                """,
            [TypeInto] = """
                <!doctype html><title>type</title>
                <body style='margin:0;background:rgb(0,128,0)'>
                <input id='field' autofocus style='font-size:40px;width:90%' oninput="document.title='value:'+this.value">
                </body>
                """,
            [Animated] = """
                <!doctype html><title>animated</title>
                <body style='margin:0;overflow:hidden'><canvas id='c'></canvas><script>
                const c=document.getElementById('c');c.width=innerWidth;c.height=innerHeight;const g=c.getContext('2d');let n=0;
                function draw(){n++;g.fillStyle='hsl('+(n*7%360)+',80%,50%)';g.fillRect(0,0,c.width,c.height);
                g.fillStyle='#fff';g.font='64px sans-serif';g.fillText('frame '+n,40,120);
                for(let i=0;i<40;i++){g.fillStyle='hsl('+((n*13+i*37)%360)+',70%,40%)';g.fillRect((n*5+i*53)%c.width,(i*31+n*3)%c.height,80,60);}
                requestAnimationFrame(draw);}draw();</script></body>
                """,
            [Storage] = """
                <!doctype html><title>storage</title><body style='margin:0;background:rgb(255,255,0)'><script>
                const had = (localStorage.getItem('mark') ?? 'none') + '|' + (document.cookie || 'none');
                localStorage.setItem('mark','set'); document.cookie='mark=set; max-age=3600';
                document.title = 'had:' + had;
                </script></body>
                """,
        };
    }
}
