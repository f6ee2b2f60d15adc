using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using BrowserIsolation.PlatformBench;

namespace BrowserIsolation.AudioBench;

/// <summary>Pages that make sound, on the address the bench orchestrator lets its browsers reach.</summary>
internal sealed class SoundSite(WebApplication app, string url) : IAsyncDisposable
{
    /// <summary>A steady 440 Hz tone on a page that never repaints: what sound costs, with no video work beside it.</summary>
    private const string TonePage = """
        <!doctype html><title>tone</title><body style='margin:0;background:#234'><script>
        const ctx = new AudioContext(); const o = ctx.createOscillator(); o.frequency.value = 440;
        const g = ctx.createGain(); g.gain.value = 0.3; o.connect(g).connect(ctx.destination); o.start();
        </script></body>
        """;

    /// <summary>Once a second the page turns white and beeps (1 kHz) at the same instant, for 120 ms.</summary>
    private const string SyncPage = """
        <!doctype html><title>sync</title><body style='margin:0;background:#000'><script>
        const ctx = new AudioContext(); const o = ctx.createOscillator(); o.frequency.value = 1000;
        const g = ctx.createGain(); g.gain.value = 0; o.connect(g).connect(ctx.destination); o.start();
        let next = performance.now() + 1000;
        function frame(t) {
          if (t >= next) {
            next += 1000;
            document.body.style.background = '#fff';
            g.gain.setValueAtTime(0.5, ctx.currentTime);
            g.gain.setValueAtTime(0, ctx.currentTime + 0.12);
            setTimeout(() => document.body.style.background = '#000', 120);
          }
          requestAnimationFrame(frame);
        }
        requestAnimationFrame(frame);
        </script></body>
        """;

    public string ToneUrl => url + "tone";

    public string SyncUrl => url + "sync";

    public string SilentUrl => url + "silent";

    public static async Task<SoundSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{LocalOrchestrator.ContentAddress}:0");
        var app = builder.Build();
        app.MapGet("/tone", () => Results.Content(TonePage, "text/html"));
        app.MapGet("/sync", () => Results.Content(SyncPage, "text/html"));
        app.MapGet("/silent", () => Results.Content("<!doctype html><title>silent</title><body style='background:#fff'>silent</body>", "text/html"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SoundSite(app, address + "/");
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
