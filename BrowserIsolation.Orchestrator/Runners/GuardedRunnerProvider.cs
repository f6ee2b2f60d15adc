namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>The configured provider with every start going through the <see cref="RunnerStartBreaker"/>.</summary>
public sealed class GuardedRunnerProvider(IRunnerProvider inner, RunnerStartBreaker breaker) : IRunnerProvider
{
    public string Name => inner.Name;

    public Task<RunnerInstance> StartAsync(RunnerStartRequest request, CancellationToken cancellationToken) =>
        breaker.StartAsync(ct => inner.StartAsync(request, ct), cancellationToken);

    public Task StopAsync(string runnerId, CancellationToken cancellationToken) => inner.StopAsync(runnerId, cancellationToken);

    public Task<IReadOnlyList<RunnerInstance>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public event Action<RunnerExit>? RunnerExited
    {
        add => inner.RunnerExited += value;
        remove => inner.RunnerExited -= value;
    }

    /// <summary>Replaces the registered <see cref="IRunnerProvider"/> with itself wrapped around it.</summary>
    public static void Register(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IRunnerProvider));
        var factory = registered.ImplementationFactory ?? throw new InvalidOperationException("the runner provider must be registered by a factory");
        services.Remove(registered);
        services.AddSingleton<RunnerStartBreaker>();
        services.AddSingleton<IRunnerProvider>(sp =>
        {
            var inner = (IRunnerProvider)factory(sp);
            var breaker = sp.GetRequiredService<RunnerStartBreaker>();
            if (inner is IRunnerBackendSignals signals)
            {
                signals.BackendRecovered += breaker.OnBackendRecovered;
            }
            return new GuardedRunnerProvider(inner, breaker);
        });
        services.AddHealthChecks().AddCheck<RunnerStartHealthCheck>("runner-starts");
    }
}
