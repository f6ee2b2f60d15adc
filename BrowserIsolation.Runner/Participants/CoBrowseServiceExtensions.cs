using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Clipboard;
using BrowserIsolation.Runner.Uploads;
using BrowserIsolation.Runner.Viewport;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BrowserIsolation.Runner.Participants;

public static class CoBrowseServiceExtensions
{
    /// <summary>Participants and control, cursors, the owner-following viewport, copy out and file uploads.</summary>
    public static IHostApplicationBuilder AddCoBrowse(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<CoBrowseOptions>(builder.Configuration.GetSection(CoBrowseOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ParticipantRegistry>();
        services.AddSingleton<CursorRelay>();
        services.AddSingleton<ViewportFollower>();
        services.AddSingleton<CoBrowseMessages>();
        services.AddHostedService<ParticipantHousekeeping>();
        services.AddHostedService<RemovedParticipantPeers>();
        services.AddSingleton<CopyWatcher>();
        services.AddSingleton<FileChooserBroker>();
        services.AddSingleton<UploadLimit>();
        services.Configure<UploadQuota>(builder.Configuration.GetSection(UploadQuota.Section));
        services.AddSingleton<UploadStore>();
        services.AddSingleton<IBrowserConcern>(sp => sp.GetRequiredService<UploadStore>());
        services.AddSingleton<IBrowserConcern>(sp => sp.GetRequiredService<CopyWatcher>());
        services.AddSingleton<IBrowserConcern>(sp => sp.GetRequiredService<FileChooserBroker>());
        return builder;
    }
}
