namespace BrowserIsolation.Runner.Media;

public static class MediaServiceExtensions
{
    /// <summary>Binds <see cref="VideoOptions"/> to the <c>Media</c> section and registers the runner's one <see cref="VideoPipeline"/>.</summary>
    public static IHostApplicationBuilder AddVideoPipeline(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<VideoOptions>(builder.Configuration.GetSection(VideoOptions.SectionName));
        builder.Services.AddSingleton<VideoPipeline>();
        return builder;
    }
}
