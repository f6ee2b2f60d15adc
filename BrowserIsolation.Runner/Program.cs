using BrowserIsolation.Runner.Apis;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Capture;
using BrowserIsolation.Runner.Extensions;
using BrowserIsolation.Runner.Participants;
using BrowserIsolation.ServiceDefaults.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

FileCreationMask.RestrictToOwner();
// A runner lives for one session and its settings never change: no file watchers (each costs an inotify instance, and
// the per-user limit of 128 is reached at about 40 runners otherwise).
var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
builder.Configuration.AddRunnerTokenFromStandardInput();
builder.AddServiceDefaults();
builder.AddRunnerServices();
builder.Services.AddRunnerToken();

var app = builder.Build();
app.Services.GetRequiredService<StreamMetrics>(); // registers the stream instruments
app.UseRouting();
app.UseDeclaredAccessOnly();
app.UseAuthentication();
app.UseAuthorization();
app.UseMiddleware<ControlHolderMiddleware>();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
// /health needs the token: the orchestrator's probe must not mistake another runner on the port for its own.
app.MapDefaultEndpoints(RunnerTokenAuthentication.OrchestratorPolicy);
app.MapRunnerEndpoints();

// The orchestrator waits for this line: the API listens and Chromium is connected.
app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(async () =>
{
    try
    {
        await app.Services.GetRequiredService<BrowserHost>().Ready;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.Out.WriteLine($"BI_RUNNER_READY {address}");
        Console.Out.Flush();
    }
    catch (Exception)
    {
        // BrowserHost logged it and is stopping the runner.
    }
}));

app.Run();
