using System.Net;

namespace BrowserIsolation.Runner.Policy;

public enum EgressOutcome
{
    Allowed,

    /// <summary>Policy or address guard said no: a block page, a log line, the refusal metric.</summary>
    Refused,

    /// <summary>The name does not resolve (or resolution timed out): an ordinary network error, not a refusal.</summary>
    Unresolvable,
}

/// <summary>
/// The gate's answer for one destination. When allowed, <see cref="Addresses"/> holds every address it checked, in
/// order; connect to these and nothing else.
/// </summary>
public sealed record EgressDecision(
    EgressOutcome Outcome, string Host, int Port, string Category, string Reason, IReadOnlyList<IPAddress> Addresses)
{
    public bool Allowed => Outcome == EgressOutcome.Allowed;
}
