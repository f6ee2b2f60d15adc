using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.AppHost.Health;

public static class StartupReport
{
    public const string Message = "Every resource is healthy";

    /// <summary>Logs once every container, project and executable (the dashboard) is healthy, with the time since the AppHost process started.</summary>
    public static void AddStartupReport(this IDistributedApplicationBuilder builder) =>
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((e, cancellationToken) =>
        {
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BrowserIsolation.AppHost.Startup");
            // (13.x adds a hidden rebuilder child per project: it only runs when asked to rebuild.)
            var names = e.Model.Resources.Where(r => r is ContainerResource or ProjectResource or ExecutableResource && r is not IResourceWithParent)
                .Select(r => r.Name).ToList();
            logger.LogDebug("Waiting for {Resources} to be healthy", string.Join(", ", names));
            _ = Task.Run(async () =>
            {
                try
                {
                    await Task.WhenAll(names.Select(async name =>
                    {
                        await notifications.WaitForResourceHealthyAsync(name, stopping);
                        logger.LogDebug("{Resource} is healthy", name);
                    }));
                    var since = DateTime.Now - Process.GetCurrentProcess().StartTime;
                    logger.LogInformation(Message + " ({Resources}) {Seconds:0.0} s after the AppHost started", string.Join(", ", names), since.TotalSeconds);
                }
                catch (OperationCanceledException)
                {
                    // stopped before everything was healthy
                }
            });
            return Task.CompletedTask;
        });
}
