using BrowserIsolation.Runner.Participants;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Uploads;

/// <summary>The largest upload this runner accepts: <c>CoBrowse:MaxUploadBytes</c>, or what the assignment says.</summary>
public sealed class UploadLimit(IOptions<CoBrowseOptions> options)
{
    private long _bytes = options.Value.MaxUploadBytes;

    public long Bytes
    {
        get => Interlocked.Read(ref _bytes);
        set => Interlocked.Exchange(ref _bytes, Math.Max(1, value));
    }
}
