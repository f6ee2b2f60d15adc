namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// The guard's answer for one destination. <see cref="Category"/> is a short, low-cardinality code (metric tag);
/// <see cref="Reason"/> is the sentence shown to the user and logged.
/// </summary>
public readonly record struct AddressVerdict(bool Allowed, string Category, string Reason)
{
    public static AddressVerdict Allow(string category, string reason) => new(true, category, reason);

    public static AddressVerdict Refuse(string category, string reason) => new(false, category, reason);
}
