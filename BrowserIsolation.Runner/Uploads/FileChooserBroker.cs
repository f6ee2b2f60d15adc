using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Cdp;
using BrowserIsolation.Runner.Participants;
using BrowserIsolation.Runner.Policy;

namespace BrowserIsolation.Runner.Uploads;

/// <summary>
/// File uploads: every tab intercepts its file chooser (<c>Page.setInterceptFileChooserDialog</c>), so no dialog opens
/// on the server. When a page asks for a file, whoever has control is told (<c>file-chooser</c>), picks local files, and
/// uploads them to the runner (UploadsApi), which hands them to the input (<c>DOM.setFileInputFiles</c>). When the policy
/// does not allow uploads they get an <c>upload_blocked</c> error instead, and the page gets no file.
/// </summary>
public sealed class FileChooserBroker(ParticipantRegistry registry, UrlPolicyHolder policy, TimeProvider time,
    ILogger<FileChooserBroker> logger) : IBrowserConcern
{
    private const int MaxPending = 16;
    private readonly ConcurrentDictionary<string, FileChooser> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tabsBySession = new(StringComparer.Ordinal);
    private CdpConnection? _cdp;

    public Task AttachAsync(ChromiumProcess chromium, TabManager tabs, CancellationToken cancellationToken)
    {
        _cdp = chromium.Cdp;
        tabs.TabAttaching += InterceptAsync;
        _cdp.EventReceived += OnEvent;
        return Task.CompletedTask;
    }

    public FileChooser? Find(string id) => _pending.GetValueOrDefault(id);

    /// <summary>Gives the chooser's input these files (absolute paths on this machine) and forgets the chooser.</summary>
    public async Task AnswerAsync(FileChooser chooser, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        await _cdp!.SendAsync("DOM.setFileInputFiles", new { files = paths, backendNodeId = chooser.BackendNodeId }, chooser.SessionId, cancellationToken);
        _pending.TryRemove(chooser.Id, out _);
        registry.Send(new { type = "file-chooser-closed", id = chooser.Id, files = paths.Count }, _ => true);
    }

    public bool Cancel(string id)
    {
        if (!_pending.TryRemove(id, out _))
        {
            return false;
        }
        registry.Send(new { type = "file-chooser-closed", id, files = 0 }, _ => true);
        return true;
    }

    private async Task InterceptAsync(BrowserTab tab, CancellationToken cancellationToken)
    {
        _tabsBySession[tab.SessionId] = tab.TargetId;
        try
        {
            await _cdp!.SendAsync("Page.setInterceptFileChooserDialog", new { enabled = true }, tab.SessionId, cancellationToken);
        }
        catch (CdpException ex)
        {
            logger.LogDebug("File chooser interception on tab {TargetId}: {Message}", tab.TargetId, ex.Message);
        }
    }

    private void OnEvent(CdpEvent e)
    {
        if (e.Method == "Target.detachedFromTarget" && e.Params.TryGetProperty("sessionId", out var detached))
        {
            _tabsBySession.TryRemove(detached.GetString() ?? "", out _);
            return;
        }
        if (e.Method != "Page.fileChooserOpened" || e.SessionId is null || !_tabsBySession.TryGetValue(e.SessionId, out var tabId) ||
            !e.Params.TryGetProperty("backendNodeId", out var node))
        {
            return;
        }
        var sessionId = e.SessionId;
        var multiple = e.Params.GetProperty("mode").GetString() == "selectMultiple";
        var backendNodeId = node.GetInt32();
        _ = Task.Run(() => OfferAsync(tabId, sessionId, backendNodeId, multiple));
    }

    private async Task OfferAsync(string tabId, string sessionId, int backendNodeId, bool multiple)
    {
        var controllers = registry.Controllers();
        if (!policy.Current.AllowUploads)
        {
            logger.LogInformation("A page in tab {TabId} asked for a file; uploads are off by policy", tabId);
            registry.Send(new { type = "error", code = "upload_blocked", message = "the session's policy does not allow uploading files" },
                p => controllers.Contains(p.Id));
            return;
        }
        var chooser = new FileChooser(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), tabId, sessionId, backendNodeId, multiple,
            await AcceptAsync(sessionId, backendNodeId), time.GetUtcNow());
        // A page may open choosers again and again; the oldest unanswered ones are forgotten.
        foreach (var stale in _pending.Values.OrderByDescending(c => c.OpenedAt).Skip(MaxPending - 1))
        {
            _pending.TryRemove(stale.Id, out _);
        }
        _pending[chooser.Id] = chooser;
        registry.Send(new { type = "file-chooser", id = chooser.Id, tabId, mode = multiple ? "multiple" : "single", accept = chooser.Accept },
            p => controllers.Contains(p.Id));
    }

    private async Task<string?> AcceptAsync(string sessionId, int backendNodeId)
    {
        try
        {
            var described = await _cdp!.SendAsync("DOM.describeNode", new { backendNodeId }, sessionId).WaitAsync(TimeSpan.FromSeconds(2));
            if (described.GetProperty("node").TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Array)
            {
                var list = attributes.EnumerateArray().Select(a => a.GetString() ?? "").ToList();
                for (var i = 0; i + 1 < list.Count; i += 2)
                {
                    if (string.Equals(list[i], "accept", StringComparison.OrdinalIgnoreCase))
                    {
                        return list[i + 1].Length > 512 ? list[i + 1][..512] : list[i + 1];
                    }
                }
            }
        }
        catch (Exception ex) when (ex is CdpException or TimeoutException or KeyNotFoundException or InvalidOperationException)
        {
            logger.LogDebug("No accept attribute for the file chooser: {Message}", ex.Message);
        }
        return null;
    }
}
