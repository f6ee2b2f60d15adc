namespace BrowserIsolation.Runner.Policy;

/// <summary>Who asked for a navigation. Some schemes (javascript:, data:) are fine from a page but not typed by a user.</summary>
public enum NavigationInitiator
{
    /// <summary>Links, scripts, redirects, subresources, popups.</summary>
    Page,

    /// <summary>The address bar, the navigate API, the homepage and new-tab URLs.</summary>
    User,
}
