using BrowserIsolation.Runner.Policy;

namespace BrowserIsolation.Tests.Unit.Policy;

[Trait("Category", "Unit")]
public class UrlPolicyTests
{
    private static UrlPolicy Policy(string[]? allow = null, string[]? block = null) =>
        UrlPolicy.Create(new UrlPolicyOptions { AllowList = [.. allow ?? []], BlockList = [.. block ?? []] });

    private static void AssertAllowed(UrlPolicy policy, string url, NavigationInitiator initiator = NavigationInitiator.Page)
    {
        var decision = policy.Evaluate(url, initiator);
        Assert.True(decision.Allowed, $"{url}: {decision.Reason}");
    }

    private static void AssertBlocked(UrlPolicy policy, string url, NavigationInitiator initiator = NavigationInitiator.Page)
    {
        var decision = policy.Evaluate(url, initiator);
        Assert.False(decision.Allowed, $"{url} should be blocked");
        Assert.NotEmpty(decision.Reason);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("FILE:///etc/passwd")]
    [InlineData("file://localhost/etc/passwd")]
    [InlineData("chrome://settings")]
    [InlineData("chrome://version/")]
    [InlineData("chrome-untrusted://terminal/")]
    [InlineData("devtools://devtools/bundled/inspector.html")]
    [InlineData("chrome-devtools://devtools/bundled/inspector.html")]
    [InlineData("view-source:http://example.com/")]
    [InlineData("view-source:file:///etc/passwd")]
    [InlineData("chrome-extension://abcdefghijklmnopabcdefghijklmnop/page.html")]
    [InlineData("chrome-search://local-ntp/")]
    [InlineData("filesystem:http://example.com/temporary/x")]
    [InlineData("about:settings")]
    [InlineData("about:version")]
    [InlineData("mailto:someone@example.com")]
    [InlineData("tel:+123")]
    [InlineData("intent://scan/#Intent;scheme=zxing;end")]
    [InlineData("ftp://example.com/file")]
    [InlineData("gopher://example.com/")]
    [InlineData("ms-settings:privacy")]
    public void LocalAndInternalSchemesAreBlockedFromEverywhere(string url)
    {
        AssertBlocked(UrlPolicy.Default, url, NavigationInitiator.Page);
        AssertBlocked(UrlPolicy.Default, url, NavigationInitiator.User);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("JavaScript:alert(document.cookie)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    public void JavascriptAndDataAreBlockedOnlyWhenTyped(string url)
    {
        AssertAllowed(UrlPolicy.Default, url, NavigationInitiator.Page);
        AssertBlocked(UrlPolicy.Default, url, NavigationInitiator.User);
    }

    [Theory]
    [InlineData("about:blank")]
    [InlineData("about:blank#top")]
    [InlineData("about:srcdoc")]
    [InlineData("http://example.com/")]
    [InlineData("https://example.com/a?b=c")]
    [InlineData("ws://example.com/socket")]
    [InlineData("wss://example.com/socket")]
    [InlineData("blob:https://example.com/0b3a7f02-5c3f-4a7e-9a37-3d3c5f2a1b4c")]
    [InlineData("blob:null/0b3a7f02-5c3f-4a7e-9a37-3d3c5f2a1b4c")]
    public void OrdinaryWebUrlsAreAllowedByDefault(string url)
    {
        AssertAllowed(UrlPolicy.Default, url, NavigationInitiator.User);
    }

    [Fact]
    public void ExactHostMatchesOnlyThatHost()
    {
        var policy = Policy(block: ["example.com"]);
        AssertBlocked(policy, "http://example.com/");
        AssertBlocked(policy, "https://EXAMPLE.com./deep/path?q=1");
        AssertBlocked(policy, "wss://example.com:8443/");
        AssertAllowed(policy, "https://www.example.com/");
        AssertAllowed(policy, "https://notexample.com/");
        AssertAllowed(policy, "https://example.com.evil.net/");
    }

    [Fact]
    public void WildcardMatchesDomainAndSubdomains()
    {
        var policy = Policy(block: ["*.example.com"]);
        AssertBlocked(policy, "https://example.com/");
        AssertBlocked(policy, "https://a.b.example.com/");
        AssertAllowed(policy, "https://badexample.com/");
        AssertAllowed(policy, "https://example.com.evil.net/");
    }

    [Fact]
    public void PathRulesMatchOnSegmentBoundariesOrGlobs()
    {
        var policy = Policy(block: ["example.com/admin", "example.com/files/*.exe"]);
        AssertBlocked(policy, "https://example.com/admin");
        AssertBlocked(policy, "https://example.com/admin/");
        AssertBlocked(policy, "https://example.com/admin/users?x=1");
        AssertBlocked(policy, "https://example.com/ADMIN");
        AssertBlocked(policy, "https://example.com/%61dmin");
        AssertBlocked(policy, "https://example.com/x/../admin");
        AssertAllowed(policy, "https://example.com/administrator");
        AssertAllowed(policy, "https://example.com/");
        AssertBlocked(policy, "https://example.com/files/setup.exe");
        AssertBlocked(policy, "https://example.com/files/a/b/setup.exe");
        AssertAllowed(policy, "https://example.com/files/readme.txt");
    }

    [Fact]
    public void AllowListBlocksEverythingElse()
    {
        var policy = Policy(allow: ["*.example.com", "docs.other.org/guide/*"]);
        AssertAllowed(policy, "https://example.com/");
        AssertAllowed(policy, "https://www.example.com/x");
        AssertAllowed(policy, "https://docs.other.org/guide/intro");
        AssertBlocked(policy, "https://docs.other.org/");
        AssertBlocked(policy, "https://evil.net/");
        AssertBlocked(policy, "http://127.0.0.1/");
        AssertAllowed(policy, "about:blank");
        AssertAllowed(policy, "data:image/png;base64,AAAA");
    }

    [Fact]
    public void MostSpecificRuleWinsAndBlockWinsTies()
    {
        var policy = Policy(allow: ["*.example.com", "example.com/public"], block: ["*", "secret.example.com", "example.com"]);
        AssertAllowed(policy, "https://www.example.com/");
        AssertBlocked(policy, "https://secret.example.com/");
        AssertBlocked(policy, "https://example.com/");
        AssertAllowed(policy, "https://example.com/public/page");
        AssertBlocked(policy, "https://unrelated.net/");

        var tie = Policy(allow: ["example.com"], block: ["example.com"]);
        AssertBlocked(tie, "https://example.com/");
    }

    [Fact]
    public void SchemeAndPortRestrictPatterns()
    {
        var policy = Policy(block: ["http://example.com", "example.org:8080"]);
        AssertBlocked(policy, "http://example.com/");
        AssertAllowed(policy, "https://example.com/");
        AssertBlocked(policy, "http://example.org:8080/");
        AssertAllowed(policy, "http://example.org/");
    }

    [Theory]
    [InlineData("http://2130706433/")]
    [InlineData("http://0x7f000001/")]
    [InlineData("http://017700000001/")]
    [InlineData("http://127.1/")]
    [InlineData("http://127.0.0.1./")]
    [InlineData("http://１２７.０.０.１/")]
    public void AddressPatternsMatchEveryNotation(string url)
    {
        var policy = Policy(block: ["127.0.0.1"]);
        AssertBlocked(policy, url);
    }

    [Fact]
    public void Ipv6PatternsMatchCanonically()
    {
        var policy = Policy(block: ["[::ffff:127.0.0.1]", "[0:0::1]"]);
        AssertBlocked(policy, "http://[::ffff:7f00:1]/");
        AssertBlocked(policy, "http://[::1]:8080/");
        AssertBlocked(policy, "http://[0:0:0:0:0:0:0:1]/");
    }

    [Fact]
    public void BlobUrlsFollowTheirOrigin()
    {
        var policy = Policy(block: ["evil.net"]);
        AssertBlocked(policy, "blob:https://evil.net/0b3a7f02-5c3f-4a7e-9a37-3d3c5f2a1b4c");
        AssertAllowed(policy, "blob:https://good.net/0b3a7f02-5c3f-4a7e-9a37-3d3c5f2a1b4c");
        AssertBlocked(UrlPolicy.Default, "blob:file:///x");
    }

    [Fact]
    public void OriginEvaluationIgnoresPathAndSchemeBlocksButHonoursAllowedPaths()
    {
        var policy = Policy(allow: ["docs.example.com/guide"], block: ["example.org/admin", "http://plain.example.net", "evil.net"]);
        Assert.True(HostNormalizer.TryNormalize("docs.example.com", out var docs, out _));
        Assert.True(HostNormalizer.TryNormalize("example.org", out var org, out _));
        Assert.True(HostNormalizer.TryNormalize("evil.net", out var evil, out _));
        Assert.True(policy.EvaluateOrigin(null, docs, 443).Allowed);
        Assert.False(policy.EvaluateOrigin(null, org, 443).Allowed); // not on the allow list at all
        Assert.False(policy.EvaluateOrigin(null, evil, 443).Allowed);

        var blockOnly = Policy(block: ["example.org/admin", "http://plain.example.net", "evil.net"]);
        Assert.True(HostNormalizer.TryNormalize("plain.example.net", out var plain, out _));
        Assert.True(blockOnly.EvaluateOrigin(null, org, 443).Allowed);
        Assert.True(blockOnly.EvaluateOrigin(null, plain, 443).Allowed);
        Assert.False(blockOnly.EvaluateOrigin("http", plain, 80).Allowed);
        Assert.False(blockOnly.EvaluateOrigin(null, evil, 443).Allowed);
    }

    [Theory]
    [InlineData("ex*ample.com")]
    [InlineData("*.127.0.0.1")]
    [InlineData("ftp://example.com")]
    [InlineData("example.com:0")]
    [InlineData("example.com:99999")]
    [InlineData("example.com/a?b")]
    [InlineData("example.com/a#b")]
    [InlineData("256.0.0.1")]
    [InlineData("")]
    [InlineData("a b.com")]
    public void InvalidPatternsAreReported(string pattern)
    {
        Assert.False(UrlPolicy.TryCreate(new UrlPolicyOptions { BlockList = [pattern] }, out _, out var errors));
        Assert.Single(errors);
    }

    [Fact]
    public void HomepageAndNewTabMustBeAllowed()
    {
        Assert.False(UrlPolicy.TryCreate(new UrlPolicyOptions { Homepage = "file:///etc/passwd" }, out _, out var e1));
        Assert.Contains(e1, e => e.Contains("homepage"));
        Assert.False(UrlPolicy.TryCreate(new UrlPolicyOptions { AllowList = ["example.com"], NewTabUrl = "https://other.net/" }, out _, out var e2));
        Assert.Contains(e2, e => e.Contains("newTabUrl"));
        Assert.True(UrlPolicy.TryCreate(new UrlPolicyOptions { AllowList = ["example.com"], Homepage = "https://example.com/" }, out _, out _));
        Assert.Throws<FormatException>(() => UrlPolicy.Create(new UrlPolicyOptions { BlockList = ["*.*"] }));
    }

    [Fact]
    public void OptionsRoundTrip()
    {
        var options = new UrlPolicyOptions
        {
            AllowList = ["*.example.com"],
            BlockList = ["secret.example.com"],
            BlockedSchemes = ["file", "data"],
            UserBlockedSchemes = ["javascript"],
            Homepage = "https://www.example.com/",
            NewTabUrl = "about:blank",
            PopupsAsTabs = false,
            AllowCopyOut = false,
            AllowPasteIn = true,
            AllowDownloads = true,
        };
        var policy = UrlPolicy.Create(options);
        var back = policy.ToOptions();
        Assert.Equal(options.AllowList, back.AllowList);
        Assert.Equal(options.BlockList, back.BlockList);
        Assert.Equal(["data", "file"], back.BlockedSchemes!.Order());
        Assert.Equal(["javascript"], back.UserBlockedSchemes);
        Assert.Equal(options.Homepage, back.Homepage);
        Assert.False(back.PopupsAsTabs);
        Assert.False(back.AllowCopyOut);
        Assert.True(back.AllowDownloads);
        // Operator-chosen schemes replace the defaults: data: is now blocked even from pages.
        AssertBlocked(policy, "data:image/png;base64,AAAA");
        AssertAllowed(policy, "https://www.example.com/etc");
    }

    [Fact]
    public void HolderAppliesUpdatesImmediately()
    {
        var holder = new UrlPolicyHolder(UrlPolicy.Default);
        UrlPolicy? seen = null;
        holder.Changed += p => seen = p;
        Assert.True(holder.Current.Evaluate("https://example.com/").Allowed);
        var stricter = Policy(block: ["example.com"]);
        holder.Update(stricter);
        Assert.Same(stricter, seen);
        Assert.False(holder.Current.Evaluate("https://example.com/").Allowed);
    }

    [Fact]
    public void UnparseableUrlsAreBlocked()
    {
        AssertBlocked(UrlPolicy.Default, "not a url");
        AssertBlocked(UrlPolicy.Default, "/relative/path");
        AssertBlocked(UrlPolicy.Default, "http://exa mple.com/");
    }
}
