using BrowserIsolation.Orchestrator.Runners.Docker;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
// Runner backend: process runners are the default; Runner:Provider=docker runs each runner in its own container.
if (string.Equals(builder.Configuration["Runner:Provider"], DockerRunnerProvider.ProviderName, StringComparison.OrdinalIgnoreCase))
{
    builder.Services.AddDockerRunnerProvider(builder.Configuration);
}
var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
