using System.Collections.Concurrent;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Cdp;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Uploads;

/// <summary>
/// The session's uploaded files on disk, within <see cref="UploadQuota"/>. Chromium reads a file given to a file input
/// lazily (when the form is sent or the page reads it), so it cannot be deleted at once: it is handed over once the
/// page that took it is gone (the tab navigated to another document, reloaded or closed) or after
/// <see cref="UploadQuota.RetainFor"/>, and then deleted.
/// </summary>
public sealed class UploadStore(IOptions<UploadQuota> quota, IOptions<RunnerOptions> runner, TimeProvider time, ILogger<UploadStore> logger)
    : IBrowserConcern, IDisposable
{
    private readonly ConcurrentDictionary<string, Held> _held = new(StringComparer.Ordinal);
    private readonly object _reserve = new();
    private ITimer? _sweeper;

    private sealed record Held(string Folder, string? TabSessionId, int Files, long Bytes)
    {
        public DateTimeOffset? HandedOverAt { get; set; }
    }

    public UploadQuota Quota => quota.Value;

    public int HeldFiles => _held.Values.Sum(h => h.Files);

    public long HeldBytes => _held.Values.Sum(h => h.Bytes);

    public Task AttachAsync(ChromiumProcess chromium, TabManager tabs, CancellationToken cancellationToken)
    {
        chromium.Cdp.EventReceived += OnEvent;
        var period = TimeSpan.FromSeconds(Math.Clamp(Quota.RetainFor.TotalSeconds, 1, 30));
        _sweeper = time.CreateTimer(_ => Sweep(), null, period, period);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Reserves room for an upload into a chooser of the tab <paramref name="tabSessionId"/>, or says why not. The
    /// files go into the returned folder; <see cref="HandedOver"/> or <see cref="Release"/> follows.
    /// </summary>
    public (string? Folder, string? Refusal) Reserve(string chooserId, string? tabSessionId, int files, long bytes)
    {
        lock (_reserve)
        {
            var (heldFiles, heldBytes) = (HeldFiles, HeldBytes);
            if (heldFiles + files > Quota.MaxFiles)
            {
                return (null, $"the session holds {heldFiles} uploaded files; it may hold {Quota.MaxFiles} at once (they are removed once their page moves on)");
            }
            if (heldBytes + bytes > Quota.MaxBytes)
            {
                return (null, $"the session holds {heldBytes} bytes of uploads; this one ({bytes} bytes) would exceed its {Quota.MaxBytes} bytes");
            }
            var folder = Path.Combine(runner.Value.ResolveWorkDir(), "uploads", chooserId);
            if (!_held.TryAdd(chooserId, new Held(folder, tabSessionId, files, bytes)))
            {
                return (null, "this file chooser is being answered already");
            }
            return (folder, null);
        }
    }

    /// <summary>The page's file input has the files: they stay until the page is gone.</summary>
    public void HandedOver(string chooserId)
    {
        if (_held.TryGetValue(chooserId, out var held))
        {
            held.HandedOverAt = time.GetUtcNow();
        }
    }

    /// <summary>Deletes the upload's files and frees its room (a failed upload, or one the page is done with).</summary>
    public void Release(string chooserId)
    {
        if (_held.TryRemove(chooserId, out var held))
        {
            try
            {
                if (Directory.Exists(held.Folder))
                {
                    Directory.Delete(held.Folder, recursive: true);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Could not delete upload {Folder}: {Message}", held.Folder, ex.Message);
            }
        }
    }

    private void OnEvent(CdpEvent e)
    {
        // A new document in the tab's main frame (navigation, reload), or the tab gone: its uploads are handed over.
        var pageGone = e.Method == "Page.frameNavigated" && !e.Params.GetProperty("frame").TryGetProperty("parentId", out _) ||
            e.Method == "Target.detachedFromTarget";
        var session = e.Method == "Target.detachedFromTarget" && e.Params.TryGetProperty("sessionId", out var s) ? s.GetString() : e.SessionId;
        if (!pageGone || session is null)
        {
            return;
        }
        foreach (var (id, held) in _held)
        {
            if (held.TabSessionId == session && held.HandedOverAt is not null)
            {
                Release(id);
            }
        }
    }

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (id, held) in _held)
        {
            if (held.HandedOverAt is { } at && now - at >= Quota.RetainFor)
            {
                Release(id);
            }
        }
    }

    public void Dispose() => _sweeper?.Dispose();
}
