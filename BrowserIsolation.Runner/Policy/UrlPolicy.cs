using System.Net.Sockets;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// A session's URL policy: immutable and pure, so it can be swapped atomically (<see cref="UrlPolicyHolder"/>) and
/// consulted from any thread. Built from <see cref="UrlPolicyOptions"/>; <see cref="ToOptions"/> gives them back.
/// </summary>
public sealed class UrlPolicy
{
    /// <summary>Local and browser-internal schemes: never navigable.</summary>
    public static readonly IReadOnlyList<string> DefaultBlockedSchemes =
    [
        "file", "filesystem", "chrome", "chrome-untrusted", "chrome-devtools", "devtools", "view-source",
        "chrome-extension", "chrome-search",
    ];

    /// <summary>Fine inside pages (bookmarklets aside, javascript: links; data: images), refused when typed.</summary>
    public static readonly IReadOnlyList<string> DefaultUserBlockedSchemes = ["javascript", "data"];

    private static readonly HashSet<string> WebSchemes = ["http", "https", "ws", "wss"];

    private readonly UrlPattern[] _allow;
    private readonly UrlPattern[] _block;
    private readonly HashSet<string> _blockedSchemes;
    private readonly HashSet<string> _userBlockedSchemes;

    private UrlPolicy(UrlPolicyOptions options, UrlPattern[] allow, UrlPattern[] block)
    {
        _allow = allow;
        _block = block;
        _blockedSchemes = (options.BlockedSchemes ?? [.. DefaultBlockedSchemes]).Select(NormalizeScheme).ToHashSet();
        _userBlockedSchemes = (options.UserBlockedSchemes ?? [.. DefaultUserBlockedSchemes]).Select(NormalizeScheme).ToHashSet();
        Homepage = options.Homepage;
        NewTabUrl = options.NewTabUrl;
        PopupsAsTabs = options.PopupsAsTabs;
        AllowCopyOut = options.AllowCopyOut;
        AllowPasteIn = options.AllowPasteIn;
        AllowUploads = options.AllowUploads;
        AllowDownloads = options.AllowDownloads;
        AllowAudio = options.AllowAudio;
    }

    public static UrlPolicy Default { get; } = Create(new UrlPolicyOptions());

    public string Homepage { get; }
    public string NewTabUrl { get; }
    public bool PopupsAsTabs { get; }
    public bool AllowCopyOut { get; }
    public bool AllowPasteIn { get; }
    public bool AllowUploads { get; }
    public bool AllowDownloads { get; }
    public bool AllowAudio { get; }

    public IReadOnlyCollection<string> BlockedSchemes => _blockedSchemes;

    /// <exception cref="FormatException">with every problem found, for a 400 problem response or a start-up error.</exception>
    public static UrlPolicy Create(UrlPolicyOptions options) =>
        TryCreate(options, out var policy, out var errors) ? policy : throw new FormatException("Invalid URL policy: " + string.Join("; ", errors));

    public static bool TryCreate(UrlPolicyOptions options, out UrlPolicy policy, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        var allow = ParsePatterns(options.AllowList, "allowList", problems);
        var block = ParsePatterns(options.BlockList, "blockList", problems);
        foreach (var scheme in (options.BlockedSchemes ?? []).Concat(options.UserBlockedSchemes ?? []))
        {
            var s = NormalizeScheme(scheme);
            if (s.Length == 0 || !s.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                problems.Add($"'{scheme}' is not a scheme");
            }
        }
        policy = null!;
        if (problems.Count == 0)
        {
            policy = new UrlPolicy(options, allow, block);
            CheckStartUrl(policy, options.Homepage, "homepage", problems);
            CheckStartUrl(policy, options.NewTabUrl, "newTabUrl", problems);
        }
        errors = problems;
        return problems.Count == 0;
    }

    public UrlPolicyOptions ToOptions() => new()
    {
        AllowList = _allow.Select(p => p.Text).ToList(),
        BlockList = _block.Select(p => p.Text).ToList(),
        BlockedSchemes = [.. _blockedSchemes],
        UserBlockedSchemes = [.. _userBlockedSchemes],
        Homepage = Homepage,
        NewTabUrl = NewTabUrl,
        PopupsAsTabs = PopupsAsTabs,
        AllowCopyOut = AllowCopyOut,
        AllowPasteIn = AllowPasteIn,
        AllowUploads = AllowUploads,
        AllowDownloads = AllowDownloads,
        AllowAudio = AllowAudio,
    };

    public PolicyDecision Evaluate(string url, NavigationInitiator initiator = NavigationInitiator.Page) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? Evaluate(uri, initiator)
            : PolicyDecision.Block("The address is not a valid absolute URL.");

    /// <summary>Decides a navigation, redirect, subframe or subresource URL.</summary>
    public PolicyDecision Evaluate(Uri url, NavigationInitiator initiator = NavigationInitiator.Page)
    {
        if (!url.IsAbsoluteUri)
        {
            return PolicyDecision.Block("The address is not an absolute URL.");
        }
        var scheme = url.Scheme.ToLowerInvariant();
        if (_blockedSchemes.Contains(scheme))
        {
            return PolicyDecision.Block($"The {scheme}: scheme is blocked.");
        }
        if (initiator == NavigationInitiator.User && _userBlockedSchemes.Contains(scheme))
        {
            return PolicyDecision.Block($"Typing {scheme}: addresses is blocked.");
        }

        switch (scheme)
        {
            case "about":
                var page = url.OriginalString[(url.OriginalString.IndexOf(':') + 1)..].Split('?', '#')[0].ToLowerInvariant();
                return page is "blank" or "srcdoc"
                    ? PolicyDecision.Allow($"about:{page} is always allowed.")
                    : PolicyDecision.Block("Only about:blank is allowed among about: pages.");
            case "javascript":
            case "data":
                return PolicyDecision.Allow($"{scheme}: from a page runs in the page's own context.");
            case "blob":
                return EvaluateBlob(url);
        }
        if (!WebSchemes.Contains(scheme))
        {
            return PolicyDecision.Block($"The {scheme}: scheme is not supported.");
        }
        if (!TryHost(url, out var host, out var error))
        {
            return PolicyDecision.Block($"The host is not valid: {error}.");
        }
        return EvaluateRules(scheme, host, url.Port, UrlPattern.NormalizePath(url.AbsolutePath));
    }

    /// <summary>
    /// Decides a whole origin when only scheme, host and port are known (a CONNECT tunnel, a blob: URL). Rules with a
    /// path cannot block an origin, but an allow rule with a path lets the origin through so the path can be checked
    /// where the full URL is visible (the CDP layer). A null scheme (tunnel) likewise ignores block rules that name one.
    /// </summary>
    public PolicyDecision EvaluateOrigin(string? scheme, NormalizedHost host, int port) =>
        EvaluateRules(scheme?.ToLowerInvariant(), host, port, path: null);

    private PolicyDecision EvaluateBlob(Uri url)
    {
        // blob:https://site/uuid belongs to https://site; blob:null/uuid comes from an opaque origin already loaded.
        var inner = url.OriginalString[5..];
        if (inner.StartsWith("null/", StringComparison.OrdinalIgnoreCase))
        {
            return PolicyDecision.Allow("blob: from an opaque origin.");
        }
        if (!Uri.TryCreate(inner, UriKind.Absolute, out var origin) || !WebSchemes.Contains(origin.Scheme.ToLowerInvariant())
            || !TryHost(origin, out var host, out _))
        {
            return PolicyDecision.Block("The blob: URL has no valid origin.");
        }
        return EvaluateOrigin(origin.Scheme, host, origin.Port);
    }

    private PolicyDecision EvaluateRules(string? scheme, NormalizedHost host, int port, string? path)
    {
        var block = BestMatch(_block, scheme, host, port, path, forBlocking: true);
        var allow = BestMatch(_allow, scheme, host, port, path, forBlocking: false);
        if (block is null && allow is null)
        {
            return _allow.Length == 0
                ? PolicyDecision.Allow("No rule matches.")
                : PolicyDecision.Block($"{host} is not on the allow list.");
        }
        if (allow is not null && (block is null || allow.Specificity.CompareTo(block.Specificity) > 0))
        {
            return PolicyDecision.Allow($"Allowed by the rule '{allow.Text}'.", allow.Text);
        }
        return PolicyDecision.Block($"{host} is blocked by the rule '{block!.Text}'.", block.Text);
    }

    private static UrlPattern? BestMatch(UrlPattern[] patterns, string? scheme, NormalizedHost host, int port, string? path, bool forBlocking)
    {
        UrlPattern? best = null;
        foreach (var pattern in patterns)
        {
            if (path is null && forBlocking && (pattern.HasPath || scheme is null && pattern.HasScheme))
            {
                continue;
            }
            if (pattern.Matches(scheme, host, port, path) && (best is null || pattern.Specificity.CompareTo(best.Specificity) > 0))
            {
                best = pattern;
            }
        }
        return best;
    }

    private static bool TryHost(Uri url, out NormalizedHost host, out string error)
    {
        if (url.HostNameType == UriHostNameType.IPv6)
        {
            var text = url.IdnHost;
            var zone = text.IndexOf('%');
            return HostNormalizer.TryNormalize("[" + (zone < 0 ? text : text[..zone]) + "]", out host, out error);
        }
        // Uri.Host keeps Unicode, which the normaliser maps the way a browser does (fullwidth digits included).
        return HostNormalizer.TryNormalize(url.Host, out host, out error);
    }

    private static UrlPattern[] ParsePatterns(IEnumerable<string>? texts, string field, List<string> problems)
    {
        var result = new List<UrlPattern>();
        foreach (var text in texts ?? [])
        {
            if (UrlPattern.TryParse(text, out var pattern, out var error))
            {
                result.Add(pattern);
            }
            else
            {
                problems.Add($"{field}: {error}");
            }
        }
        return [.. result];
    }

    private static void CheckStartUrl(UrlPolicy policy, string? url, string field, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            problems.Add($"{field} is required (about:blank for an empty page)");
            return;
        }
        var decision = policy.Evaluate(url, NavigationInitiator.User);
        if (!decision.Allowed)
        {
            problems.Add($"{field} '{url}' is itself blocked: {decision.Reason}");
        }
    }

    private static string NormalizeScheme(string scheme) => scheme.Trim().TrimEnd(':').ToLowerInvariant();
}
