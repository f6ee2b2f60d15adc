using BrowserIsolation.Web.Proxy;

// The UI host of the Aspire composition: the built client, and /api + /ws forwarded to the orchestrator.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
    WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
});
builder.AddServiceDefaults();
builder.Services.AddOrchestratorProxy(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
app.UseStrayApiPathsAsNotFound();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapReverseProxy(proxy => proxy.UseReplicaFailover());
app.MapFallbackToFile("index.html");
app.Run();
