using System.Text.Json.Nodes;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// Chromium command-line flags that put every request through the egress proxy and close the side channels around it.
/// Each was checked against Chromium 156 (see the Integration/Policy tests and the egress report):
/// <list type="bullet">
/// <item><c>--proxy-server</c> + <c>--proxy-bypass-list=&lt;-loopback&gt;</c>: without the bypass entry Chromium connects to
/// 127.0.0.0/8, [::1] and localhost directly; with it they go through the proxy.</item>
/// <item><c>--webrtc-ip-handling-policy=disable_non_proxied_udp</c>: without it a page's STUN/TURN UDP reaches any address
/// directly; with it WebRTC uses only TURN over TCP through the proxy (CONNECT). Chromium 156 has no
/// <c>--force-webrtc-ip-handling-policy</c> switch; this is the one it reads.</item>
/// <item><c>--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1</c>: Chromium resolves no name itself (DNS is a
/// channel too: a page can leak data in the names it looks up). Proxied requests are unaffected because the proxy
/// resolves them. This replaces <c>--dns-prefetch-disable</c>, which Chromium 156 no longer has.</item>
/// <item><c>--disable-quic</c>: no HTTP/3 or QUIC from the browser.</item>
/// <item>No background traffic: component updates, sync, domain reliability, hyperlink-audit pings, crash uploads,
/// network-time queries, media-router (Cast/DIAL) discovery.</item>
/// </list>
/// Chromium honours only the last <c>--disable-features</c>: run the final argument list through
/// <see cref="MergeFeatureSwitches"/>, or merge <see cref="DisabledFeatures"/> into yours.
/// </summary>
public static class ChromiumEgressFlags
{
    /// <summary>Features to put in the single --disable-features switch.</summary>
    public static readonly IReadOnlyList<string> DisabledFeatures =
    [
        "NetworkTimeServiceQuerying",
        "MediaRouter",
        "DialMediaRouteProvider",
        "OptimizationHints",
        "AutofillServerCommunication",
        // Also in the runner's own quiet flags; listed so whichever switch Chromium keeps disables both sets.
        "Translate",
        "InterestFeedContentSuggestions",
    ];

    /// <summary>
    /// Collapses every <c>--disable-features=</c> and every <c>--enable-features=</c> into one switch each (at the
    /// position of the first), because Chromium reads only the last occurrence of a switch.
    /// </summary>
    public static List<string> MergeFeatureSwitches(IEnumerable<string> args)
    {
        var result = new List<string>();
        var merged = new Dictionary<string, (int Index, List<string> Features)>(StringComparer.Ordinal);
        foreach (var arg in args)
        {
            var prefix = arg.StartsWith("--disable-features=", StringComparison.Ordinal) ? "--disable-features="
                : arg.StartsWith("--enable-features=", StringComparison.Ordinal) ? "--enable-features="
                : null;
            if (prefix is null)
            {
                result.Add(arg);
                continue;
            }
            if (!merged.TryGetValue(prefix, out var entry))
            {
                entry = (result.Count, []);
                merged[prefix] = entry;
                result.Add(prefix);
            }
            foreach (var feature in arg[prefix.Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!entry.Features.Contains(feature))
                {
                    entry.Features.Add(feature);
                }
            }
        }
        foreach (var (prefix, (index, features)) in merged)
        {
            result[index] = prefix + string.Join(',', features);
        }
        return result;
    }

    /// <summary>The flags for a proxy on 127.0.0.1:<paramref name="proxyPort"/>, including --disable-features.</summary>
    public static IReadOnlyList<string> For(int proxyPort, IEnumerable<string>? extraDisabledFeatures = null)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(proxyPort is > 0 and <= 65535, true, nameof(proxyPort));
        var features = DisabledFeatures.Concat(extraDisabledFeatures ?? []).Distinct(StringComparer.Ordinal);
        return
        [
            $"--proxy-server=http://127.0.0.1:{proxyPort}",
            "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--disable-quic",
            "--webrtc-ip-handling-policy=disable_non_proxied_udp",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-domain-reliability",
            "--disable-breakpad",
            "--no-pings",
            "--media-router=0",
            "--disable-features=" + string.Join(',', features),
        ];
    }

    /// <summary>
    /// Profile preferences that back the flags up: WebRTC limited to proxied TCP and network prediction (prefetch,
    /// preconnect) off. Call before Chromium starts with this --user-data-dir; existing preferences are kept.
    /// </summary>
    public static void WriteProfilePreferences(string userDataDir)
    {
        var dir = Path.Combine(userDataDir, "Default");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "Preferences");
        var root = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? [] : [];
        Section(root, "webrtc")["ip_handling_policy"] = "disable_non_proxied_udp";
        Section(root, "webrtc")["multiple_routes_enabled"] = false;
        Section(root, "webrtc")["nonproxied_udp_enabled"] = false;
        Section(root, "net")["network_prediction_options"] = 2; // never predict
        File.WriteAllText(path, root.ToJsonString());
    }

    private static JsonObject Section(JsonObject root, string name)
    {
        if (root[name] is not JsonObject section)
        {
            section = [];
            root[name] = section;
        }
        return section;
    }
}
