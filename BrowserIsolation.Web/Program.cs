using BrowserIsolation.Web.Proxy;

// The UI host of the Aspire composition: the built client, and /api + /ws forwarded to the orchestrator.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
    WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
});
builder.AddServiceDefaults();
builder.Services.AddHttpClient("orchestrator", c => c.Timeout = TimeSpan.FromMinutes(2));

var app = builder.Build();
app.UseWebSockets();
app.MapDefaultEndpoints();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapOrchestratorProxy();
app.MapFallbackToFile("index.html");
app.Run();
