namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// Configuration section <c>Policy</c> and the body of <c>GET/PUT /api/sessions/{id}/policy</c>.
/// Patterns: <c>[scheme://]host[:port][/path]</c> where host is <c>*</c>, <c>*.example.com</c> (the domain and every
/// subdomain), <c>example.com</c> (that host only) or an IP literal; a path without <c>*</c> matches itself and everything
/// below it, <c>*</c> in a path matches any characters. The most specific matching rule wins; on a tie, block wins.
/// A non-empty <see cref="AllowList"/> blocks everything it does not match.
/// </summary>
public sealed class UrlPolicyOptions
{
    public const string SectionName = "Policy";

    public List<string> AllowList { get; set; } = [];

    public List<string> BlockList { get; set; } = [];

    /// <summary>Schemes never navigable. Null means <see cref="UrlPolicy.DefaultBlockedSchemes"/>.</summary>
    public List<string>? BlockedSchemes { get; set; }

    /// <summary>Schemes a page may use but a user may not type. Null means <see cref="UrlPolicy.DefaultUserBlockedSchemes"/>.</summary>
    public List<string>? UserBlockedSchemes { get; set; }

    public string Homepage { get; set; } = "about:blank";

    public string NewTabUrl { get; set; } = "about:blank";

    /// <summary>Open window.open()/target=_blank popups as tabs of the session instead of separate windows.</summary>
    public bool PopupsAsTabs { get; set; } = true;

    /// <summary>Text copied in the remote browser may be sent to the user's clipboard.</summary>
    public bool AllowCopyOut { get; set; } = true;

    /// <summary>The user may paste text into the remote browser.</summary>
    public bool AllowPasteIn { get; set; } = true;

    /// <summary>A participant in control may answer a page's file chooser with files from their own computer.</summary>
    public bool AllowUploads { get; set; } = true;

    /// <summary>Downloads go to the session's temporary folder (deleted with the session); otherwise they are denied.</summary>
    public bool AllowDownloads { get; set; }

    /// <summary>The page's sound reaches the participants (where the runner captures sound); applied live.</summary>
    public bool AllowAudio { get; set; } = true;
}
