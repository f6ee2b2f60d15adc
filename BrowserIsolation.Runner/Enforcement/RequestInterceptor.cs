using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Cdp;
using BrowserIsolation.Runner.Policy;

namespace BrowserIsolation.Runner.Enforcement;

/// <summary>
/// Requests of every target, checked before they leave the browser: <c>Fetch.enable</c> on the browser target pauses
/// the requests of all pages, popups, out-of-process iframes and workers, including each hop of a redirect, from the
/// moment the target exists (so a new target has no window before interception starts). Documents always; every other
/// request too when the policy has rules that need the full URL (see <see cref="EnableAsync"/>). A refused document gets the
/// block page in its place (the frame shows why); any other refused request fails as BlockedByClient.
/// Documents are also checked against the egress guard (their host's addresses), so the user sees the block page where
/// the proxy would refuse. Host rules are enforced a second time by the proxy, for what Fetch never sees (WebSocket,
/// WebRTC, preconnects).
/// </summary>
public sealed class RequestInterceptor(
    UrlPolicyHolder policy,
    EgressGate gate,
    EgressMetrics metrics,
    VisitedOrigins origins,
    ILogger<RequestInterceptor> logger) : IBrowserConcern
{
    private static readonly object[] BlockPageHeaders =
    [
        new { name = "Content-Type", value = "text/html; charset=utf-8" },
        new { name = "Content-Security-Policy", value = BlockPage.ContentSecurityPolicy },
        new { name = "Cache-Control", value = "no-store" },
        new { name = "X-Content-Type-Options", value = "nosniff" },
    ];

    private readonly ConcurrentDictionary<string, DateTimeOffset> _answered = new();
    private CdpConnection? _cdp;
    private long _blocked;

    /// <summary>A request was refused. Raised on a worker thread; handlers must be quick.</summary>
    public event Action<BlockedRequest>? Blocked;

    public long BlockedCount => Interlocked.Read(ref _blocked);

    /// <summary>Whether every request is paused (the policy has rules only the full URL can decide) or documents only.</summary>
    public bool InterceptsEverything { get; private set; }

    public async Task AttachAsync(ChromiumProcess chromium, TabManager tabs, CancellationToken cancellationToken)
    {
        _cdp = chromium.Cdp;
        _cdp.EventReceived += OnEvent;
        await EnableAsync(policy.Current, cancellationToken);
        policy.Changed += p => _ = Task.Run(async () =>
        {
            try
            {
                await EnableAsync(p, CancellationToken.None);
            }
            catch (CdpException ex)
            {
                logger.LogWarning("Could not update request interception: {Message}", ex.Message);
            }
        });
    }

    /// <summary>
    /// Pausing a request costs a round trip (measured: 300 images load ~45% slower when every one is paused, no slower when
    /// only documents are). Host rules and the address guard hold for every connection in the proxy already, so
    /// subresources are paused only when a rule needs the whole URL: one with a path, or one naming a scheme (the proxy
    /// sees only host and port inside a TLS tunnel). Calling Fetch.enable again replaces the patterns without a gap.
    /// </summary>
    private async Task EnableAsync(UrlPolicy current, CancellationToken cancellationToken)
    {
        var everything = NeedsFullUrls(current);
        object[] patterns = everything
            ? [new { urlPattern = "*", requestStage = "Request" }]
            : [new { urlPattern = "*", resourceType = "Document", requestStage = "Request" }];
        await _cdp!.SendAsync("Fetch.enable", new { patterns }, cancellationToken: cancellationToken);
        InterceptsEverything = everything;
    }

    internal static bool NeedsFullUrls(UrlPolicy current)
    {
        var options = current.ToOptions();
        return options.AllowList.Concat(options.BlockList).Any(text =>
            !UrlPattern.TryParse(text, out var pattern, out _) || pattern.HasPath || pattern.HasScheme);
    }

    /// <summary>Whether this URL's document was just answered with the block page (so the URL showing is not a leak).</summary>
    public bool WasAnsweredWithBlockPage(string url) =>
        _answered.TryGetValue(url, out var at) && DateTimeOffset.UtcNow - at < TimeSpan.FromSeconds(30);

    private void OnEvent(CdpEvent e)
    {
        if (e.Method != "Fetch.requestPaused" || e.SessionId is not null)
        {
            return;
        }
        var paused = e.Params.Clone();
        _ = Task.Run(() => DecideAsync(paused));
    }

    private async Task DecideAsync(JsonElement paused)
    {
        var requestId = paused.GetProperty("requestId").GetString()!;
        var url = paused.GetProperty("request").GetProperty("url").GetString() ?? "";
        var resourceType = paused.TryGetProperty("resourceType", out var rt) ? rt.GetString() ?? "Other" : "Other";
        var frameId = paused.TryGetProperty("frameId", out var f) ? f.GetString() : null;
        try
        {
            var (allowed, reason, shownUrl) = await JudgeAsync(url, resourceType);
            if (allowed)
            {
                await _cdp!.SendAsync("Fetch.continueRequest", new { requestId });
                return;
            }
            await RefuseAsync(requestId, new BlockedRequest(shownUrl, reason, resourceType, frameId), isMarker: shownUrl != url);
        }
        catch (CdpException ex)
        {
            logger.LogDebug("Paused request {Url} went away: {Message}", Short(url), ex.Message);
        }
        catch (Exception ex)
        {
            // Fail closed: a request we could not judge does not go out.
            logger.LogWarning(ex, "Could not judge {Url}; refusing it", Short(url));
            await TryAsync("Fetch.failRequest", new { requestId, errorReason = "BlockedByClient" });
        }
    }

    /// <summary>The verdict, the reason, and the URL to name on the block page.</summary>
    private async Task<(bool Allowed, string Reason, string ShownUrl)> JudgeAsync(string url, string resourceType)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return (false, "The address is not a valid URL.", url);
        }
        if (BlockedNavigation.IsMarker(uri))
        {
            var (target, why) = BlockedNavigation.Parse(uri);
            return (false, why, target);
        }
        origins.Add(uri);
        var current = policy.Current;
        var decision = current.Evaluate(uri);
        if (!decision.Allowed)
        {
            return (false, decision.Reason, url);
        }
        // A document the proxy would refuse gets the block page now instead of a bare proxy error.
        if (resourceType == "Document" && uri.Scheme is "http" or "https" or "ws" or "wss")
        {
            var egress = await gate.CheckAsync(uri.Scheme, uri.Host, uri.Port, uri,
                CancellationToken.None);
            if (egress.Outcome == EgressOutcome.Refused)
            {
                return (false, egress.Reason, url);
            }
        }
        return (true, "", url);
    }

    private async Task RefuseAsync(string requestId, BlockedRequest blocked, bool isMarker)
    {
        if (!isMarker)
        {
            Interlocked.Increment(ref _blocked);
            metrics.Refused.Add(1, new KeyValuePair<string, object?>("reason", "policy"), new KeyValuePair<string, object?>("kind", "cdp"));
        }
        if (blocked.IsDocument)
        {
            if (!isMarker)
            {
                logger.LogInformation("Blocked navigation to {Url}: {Reason}", Short(blocked.Url), blocked.Reason);
            }
            _answered[blocked.Url] = DateTimeOffset.UtcNow;
            Prune();
            await _cdp!.SendAsync("Fetch.fulfillRequest", new
            {
                requestId,
                responseCode = 200,
                responseHeaders = BlockPageHeaders,
                body = Convert.ToBase64String(Encoding.UTF8.GetBytes(BlockPage.Render(blocked.Url, blocked.Reason))),
            });
        }
        else
        {
            logger.LogDebug("Blocked {Type} request to {Url}: {Reason}", blocked.ResourceType, Short(blocked.Url), blocked.Reason);
            await _cdp!.SendAsync("Fetch.failRequest", new { requestId, errorReason = "BlockedByClient" });
        }
        if (!isMarker)
        {
            Blocked?.Invoke(blocked);
        }
    }

    private void Prune()
    {
        if (_answered.Count < 256)
        {
            return;
        }
        var cutoff = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(30);
        foreach (var (url, at) in _answered)
        {
            if (at < cutoff)
            {
                _answered.TryRemove(url, out _);
            }
        }
    }

    private async Task TryAsync(string method, object parameters)
    {
        try
        {
            await _cdp!.SendAsync(method, parameters);
        }
        catch (CdpException)
        {
            // the request or the browser went away
        }
    }

    private static string Short(string url) => url.Length > 200 ? url[..200] + "…" : url;
}
