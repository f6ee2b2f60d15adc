using System.Collections.Concurrent;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Cdp;
using BrowserIsolation.Runner.Enforcement;
using BrowserIsolation.Runner.Participants;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Downloads;

/// <summary>
/// Holds a session's downloads to <see cref="DownloadQuota"/>: one past the count, or one whose announced or received
/// size would pass the byte quota, is cancelled (<c>Browser.cancelDownload</c>), its file deleted, and every client
/// gets an <c>error</c> with code <c>download_quota</c>. A cancelled download's file is deleted too. Nothing hands a
/// finished download to a person yet, so finished files stay (within the quota) until the session ends.
/// </summary>
public sealed class DownloadGuard(IOptions<DownloadQuota> quota, PolicyEnforcer enforcer, ParticipantRegistry participants,
    ILogger<DownloadGuard> logger)
    : IBrowserConcern
{
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.Ordinal);
    private CdpConnection? _cdp;

    private DownloadQuota Quota => quota.Value;

    public Task AttachAsync(ChromiumProcess chromium, TabManager tabs, CancellationToken cancellationToken)
    {
        _cdp = chromium.Cdp;
        _cdp.EventReceived += OnEvent;
        return Task.CompletedTask;
    }

    private void OnEvent(CdpEvent e)
    {
        if (e.Method is not ("Browser.downloadWillBegin" or "Browser.downloadProgress") || !e.Params.TryGetProperty("guid", out var g) ||
            g.GetString() is not { Length: > 0 } guid || _refused.ContainsKey(guid))
        {
            return;
        }
        if (e.Method == "Browser.downloadWillBegin")
        {
            if (_bytes.Count >= Quota.MaxFiles)
            {
                Refuse(guid, $"the session has {_bytes.Count} downloads; it may keep {Quota.MaxFiles}");
                return;
            }
            _bytes[guid] = 0;
            return;
        }
        var state = e.Params.GetProperty("state").GetString();
        if (state == "canceled")
        {
            _bytes.TryRemove(guid, out _);
            Delete(guid);
            return;
        }
        var received = (long)e.Params.GetProperty("receivedBytes").GetDouble();
        var announced = e.Params.TryGetProperty("totalBytes", out var t) ? (long)t.GetDouble() : 0;
        var size = Math.Max(received, announced);
        _bytes[guid] = size;
        var total = _bytes.Values.Sum();
        if (total > Quota.MaxBytes)
        {
            Refuse(guid, $"this download ({size} bytes) would take the session's downloads to {total} bytes; it may keep {Quota.MaxBytes}");
        }
    }

    private void Refuse(string guid, string reason)
    {
        _refused[guid] = true;
        _bytes.TryRemove(guid, out _);
        logger.LogInformation("Download {Guid} refused: {Reason}", guid, reason);
        // Through the registry: the client hub depends on the browser, which depends on this.
        participants.Send(new { type = "error", code = "download_quota", id = guid, message = reason }, _ => true);
        _ = Task.Run(async () =>
        {
            try
            {
                await _cdp!.SendAsync("Browser.cancelDownload", new { guid });
            }
            catch (CdpException ex)
            {
                logger.LogDebug("Download {Guid} could not be cancelled (finished already?): {Message}", guid, ex.Message);
            }
            // A finished one is deleted all the same; a cancelled one leaves nothing either.
            await Task.Delay(200);
            Delete(guid);
        });
    }

    /// <summary>allowAndName stores a download under its guid (and the guid + .crdownload while it runs).</summary>
    private void Delete(string guid)
    {
        foreach (var path in new[] { Path.Combine(enforcer.DownloadDir, guid), Path.Combine(enforcer.DownloadDir, guid + ".crdownload") })
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Could not delete download {Path}: {Message}", path, ex.Message);
            }
        }
    }
}
