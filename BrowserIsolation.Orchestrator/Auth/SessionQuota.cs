using BrowserIsolation.Orchestrator.Sessions;
using BrowserIsolation.Orchestrator.Store;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Orchestrator.Auth;

/// <summary>
/// <c>Auth:MaxSessionsPerApiKey</c>. Admissions are serialised on this replica; with several replicas the count is
/// read from the shared store, so a simultaneous burst on two replicas may overshoot by one each.
/// </summary>
public sealed class SessionQuota(ISessionStore store, IOptions<AuthOptions> options)
{
    private readonly SemaphoreSlim _admission = new(1, 1);

    public int Limit => options.Value.MaxSessionsPerApiKey;

    /// <summary>Runs <paramref name="create"/> unless <paramref name="createdBy"/> holds its quota of active sessions (then false).</summary>
    public async Task<(bool Admitted, T? Result)> AdmitAsync<T>(string createdBy, Func<Task<T>> create, CancellationToken cancellationToken)
    {
        if (Limit <= 0)
        {
            return (true, await create());
        }
        await _admission.WaitAsync(cancellationToken);
        try
        {
            var active = (await store.ListAsync(cancellationToken)).Count(s => s.IsActive && s.CreatedBy == createdBy);
            return active >= Limit ? (false, default) : (true, await create());
        }
        finally
        {
            _admission.Release();
        }
    }
}
