using BrowserIsolation.Orchestrator.Apis;
using BrowserIsolation.Orchestrator.Auth;
using BrowserIsolation.Orchestrator.Extensions;
using BrowserIsolation.Orchestrator.Participants;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // The build copies the Web client here (see the csproj), so one process serves API and UI.
    ContentRootPath = AppContext.BaseDirectory,
    WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
});
builder.UseDefaultListenAddress();
if (ListenAddressGuard.Refusal(builder.Configuration, builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new()) is { } refusal)
{
    Console.Error.WriteLine(refusal);
    return 2;
}
if (CoBrowseSettings.Problems(builder.Configuration) is { Count: > 0 } coBrowseProblems)
{
    Console.Error.WriteLine(string.Join(Environment.NewLine, coBrowseProblems));
    return 2;
}
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024 * 1024);
builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.AddApiSecurity();

var app = builder.Build();
app.UseMiddleware<FrameAncestorsMiddleware>();
app.UseMiddleware<NoReferrerMiddleware>();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
app.UseRouting();
app.UseApiSecurity();
app.MapDefaultEndpoints();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapOrchestratorEndpoints();

app.Lifetime.ApplicationStarted.Register(() =>
{
    var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
    if (!app.Services.GetRequiredService<ApiKeys>().Enabled && addresses.Where(a => !ListenAddressGuard.IsLoopbackUrl(a)).ToList() is { Count: > 0 } exposed)
    {
        Console.Error.WriteLine(ListenAddressGuard.Message(exposed));
        Environment.ExitCode = 2;
        app.Lifetime.StopApplication();
        return;
    }
    var address = addresses.FirstOrDefault();
    Console.WriteLine($"BrowserIsolation is ready: open {address} in a browser");
});

app.Run();
return Environment.ExitCode;
