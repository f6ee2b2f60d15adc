namespace BrowserIsolation.Orchestrator.Auth;

public enum CallerKind
{
    /// <summary>Auth is on and no credential came with the request.</summary>
    Anonymous,

    /// <summary>An API key holder, or anyone when auth is off: may do everything but stream without a token.</summary>
    Operator,

    /// <summary>A join token holder: limited to its session and role.</summary>
    Participant,
}

/// <summary>Who sent the request, as established by <see cref="CallerAuthentication"/>.</summary>
public sealed record Caller(CallerKind Kind, string Name, JoinTokenClaims? Token = null)
{
    /// <summary>Set by <see cref="SessionAccessHandler"/> once the token's participant is checked against the session.</summary>
    public Sessions.Participant? Participant { get; init; }
}

public static class CallerHttpContextExtensions
{
    private static readonly object Key = new();

    public static Caller? GetCaller(this HttpContext context) => context.Items.TryGetValue(Key, out var c) ? c as Caller : null;

    internal static void SetCaller(this HttpContext context, Caller caller) => context.Items[Key] = caller;
}
