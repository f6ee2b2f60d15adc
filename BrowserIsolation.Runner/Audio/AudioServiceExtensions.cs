using BrowserIsolation.Runner.Browser;

namespace BrowserIsolation.Runner.Audio;

public static class AudioServiceExtensions
{
    /// <summary>
    /// The runner's sound: <see cref="AudioOptions"/> from the <c>Audio</c> section, its own sound server (it adds
    /// Chromium's sound flags and environment), the one <see cref="AudioPipeline"/> and the clients' audio messages.
    /// Register after the browser host: hosted services stop in reverse order, so the sound server ends first.
    /// </summary>
    public static IHostApplicationBuilder AddAudio(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<AudioOptions>(builder.Configuration.GetSection(AudioOptions.SectionName));
        services.AddSingleton<SoundServer>();
        services.AddSingleton<IChromiumArgsSource>(sp => sp.GetRequiredService<SoundServer>());
        services.AddHostedService(sp => sp.GetRequiredService<SoundServer>());
        services.AddSingleton<AudioPipeline>();
        services.AddSingleton<AudioListeners>();
        return builder;
    }
}
