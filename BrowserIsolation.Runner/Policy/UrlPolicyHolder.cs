namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// The session's current <see cref="UrlPolicy"/>. Readers take <see cref="Current"/> per decision, so an update applies
/// to the very next request; <see cref="Changed"/> lets the CDP layer re-check open tabs.
/// </summary>
public sealed class UrlPolicyHolder(UrlPolicy initial)
{
    private UrlPolicy _current = initial;

    public UrlPolicy Current => Volatile.Read(ref _current);

    public event Action<UrlPolicy>? Changed;

    public void Update(UrlPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Volatile.Write(ref _current, policy);
        Changed?.Invoke(policy);
    }
}
