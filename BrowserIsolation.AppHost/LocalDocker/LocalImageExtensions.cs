using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.AppHost.LocalDocker;

public static class LocalImageExtensions
{
    /// <summary>
    /// Runs the container from <paramref name="image"/>, built on the local engine before DCP starts any resource
    /// (DCP's own Dockerfile build needs buildx, which Debian lacks).
    /// </summary>
    public static IResourceBuilder<T> WithLocalImage<T>(this IResourceBuilder<T> resource, LocalImage image, DockerEngineScript engine)
        where T : ContainerResource
    {
        resource.ApplicationBuilder.AddLocalImageBuild(image, engine);
        return resource.WithImageRegistry(null).WithImage(image.Name, image.Tag).WithImagePullPolicy(ImagePullPolicy.Never);
    }

    /// <summary>Builds <paramref name="image"/> in the BeforeStartEvent, so it exists before DCP creates containers.</summary>
    public static void AddLocalImageBuild(this IDistributedApplicationBuilder builder, LocalImage image, DockerEngineScript engine) =>
        builder.Eventing.Subscribe<BeforeStartEvent>(async (e, cancellationToken) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BrowserIsolation.AppHost.LocalImages");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await engine.BuildAsync(image, cancellationToken);
            logger.LogInformation("Image {Image} ready in {Seconds:0.0} s", image.Reference, watch.Elapsed.TotalSeconds);
        });
}
