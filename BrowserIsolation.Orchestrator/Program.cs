using BrowserIsolation.Orchestrator.Apis;
using BrowserIsolation.Orchestrator.Extensions;
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
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024 * 1024);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
app.MapDefaultEndpoints();
app.UseDefaultFiles();
app.UseStaticFiles();

app.MapSessionsApi();
app.MapStreamApi();
app.MapSignalingApi();
app.MapPoolApi();
app.Map("/api/{**rest}", (string? rest) => Problems.Create(404, "not_found", "Not found", $"no API at /api/{rest}"));
app.MapFallbackToFile("index.html");

app.Lifetime.ApplicationStarted.Register(() =>
{
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
    Console.WriteLine($"BrowserIsolation is ready: open {address} in a browser");
});

app.Run();
