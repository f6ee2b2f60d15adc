using BrowserIsolation.Orchestrator.Auth;
using Microsoft.AspNetCore.Http;

namespace BrowserIsolation.Tests.Unit.Auth;

[Trait("Category", "Unit")]
public sealed class SessionAccessTests
{
    [Theory]
    [InlineData("GET", "/ws/sessions/abc", SessionPermission.Stream, "abc")]
    [InlineData("POST", "/api/sessions/abc/offer", SessionPermission.Stream, "abc")]
    [InlineData("GET", "/api/sessions/abc/ice", SessionPermission.Stream, "abc")]
    [InlineData("GET", "/api/sessions/abc", SessionPermission.View, "abc")]
    [InlineData("DELETE", "/api/sessions/abc", SessionPermission.Manage, "abc")]
    [InlineData("PUT", "/api/sessions/abc", SessionPermission.Administer, "abc")]
    [InlineData("POST", "/api/sessions/abc/navigate", SessionPermission.Control, "abc")]
    [InlineData("POST", "/api/sessions/abc/back", SessionPermission.Control, "abc")]
    [InlineData("GET", "/api/sessions/abc/tabs", SessionPermission.View, "abc")]
    [InlineData("POST", "/api/sessions/abc/tabs", SessionPermission.Control, "abc")]
    [InlineData("DELETE", "/api/sessions/abc/tabs/T1", SessionPermission.Control, "abc")]
    [InlineData("POST", "/api/sessions/abc/reset", SessionPermission.Manage, "abc")]
    [InlineData("POST", "/api/sessions/abc/tokens", SessionPermission.Manage, "abc")]
    [InlineData("GET", "/api/sessions/abc/policy", SessionPermission.View, "abc")]
    [InlineData("PUT", "/api/sessions/abc/policy", SessionPermission.Administer, "abc")]
    [InlineData("GET", "/api/sessions/abc/participants", SessionPermission.View, "abc")]
    [InlineData("POST", "/api/sessions/abc/something-new", SessionPermission.Administer, "abc")]
    [InlineData("POST", "/api/sessions", SessionPermission.Administer, null)]
    [InlineData("GET", "/api/sessions", SessionPermission.Administer, null)]
    [InlineData("GET", "/api/anything", SessionPermission.Administer, null)]
    [InlineData("GET", "/ws/other", SessionPermission.Administer, null)]
    public void EveryApiPathHasARuleAndUnknownOnesNeedAnApiKey(string method, string path, SessionPermission permission, string? session)
    {
        var rule = SessionAccess.For(method, new PathString(path));
        Assert.NotNull(rule);
        Assert.Equal(permission, rule.Permission);
        Assert.Equal(session, rule.SessionId);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    [InlineData("/health")]
    [InlineData("/assets/app.js")]
    public void PagesAndHealthAreNotApi(string path) => Assert.Null(SessionAccess.For("GET", new PathString(path)));

    [Fact]
    public void RolesRankViewerBelowControllerBelowOwner()
    {
        Assert.Equal(Roles.Viewer, SessionAccess.MinimumRole(SessionPermission.Stream));
        Assert.Equal(Roles.Controller, SessionAccess.MinimumRole(SessionPermission.Control));
        Assert.Equal(Roles.Owner, SessionAccess.MinimumRole(SessionPermission.Manage));
        Assert.Null(SessionAccess.MinimumRole(SessionPermission.Administer));
        Assert.True(Roles.Rank(Roles.Owner) > Roles.Rank(Roles.Controller) && Roles.Rank(Roles.Controller) > Roles.Rank(Roles.Viewer));
        Assert.Equal(0, Roles.Rank("admin"));
    }
}
