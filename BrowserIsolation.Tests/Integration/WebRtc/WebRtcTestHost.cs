using BrowserIsolation.Runner.Media;
using BrowserIsolation.Runner.WebRtc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.Tests.Integration.WebRtc;

/// <summary>
/// The runner's WebRTC part (the real service and endpoints) hosted in-test on 127.0.0.1 with its UDP port on
/// loopback, plus a blank page at / so a browser can post its offer same-origin.
/// </summary>
internal sealed class WebRtcTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebRtcTestHost(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public WebRtcService Service => _app.Services.GetRequiredService<WebRtcService>();

    public IServiceProvider Services => _app.Services;

    public static async Task<WebRtcTestHost> StartAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Media:UdpBindAddress"] = "127.0.0.1",
            ["Media:UdpPort"] = "0",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.Services.AddSingleton<BrowserIsolation.Runner.Capture.FrameHub>();
        builder.AddVideoPipeline();
        builder.Services.AddWebRtc(builder.Configuration);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapGet("/", () => Results.Content("<!doctype html><html><body style=\"margin:0\"></body></html>", "text/html"));
        app.MapWebRtc();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new WebRtcTestHost(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
