namespace BrowserIsolation.Runner.Apis;

/// <summary>
/// Where the runner's token comes from. Process runners get it on standard input (<c>Runner:TokenSource=stdin</c>), so
/// it is in neither <c>/proc/&lt;pid&gt;/environ</c> nor the command line; Docker runners get <c>Runner:Token</c>.
/// </summary>
public static class RunnerTokenSource
{
    public static IConfigurationBuilder AddRunnerTokenFromStandardInput(this IConfigurationManager configuration)
    {
        if (!string.Equals(configuration["Runner:TokenSource"], "stdin", StringComparison.OrdinalIgnoreCase))
        {
            return configuration;
        }
        // The orchestrator writes it right after spawning us, then closes the pipe.
        var token = Console.In.ReadLine()?.Trim();
        if (string.IsNullOrEmpty(token))
        {
            throw new InvalidOperationException("Runner:TokenSource is stdin, but standard input held no token");
        }
        return configuration.AddInMemoryCollection([new KeyValuePair<string, string?>("Runner:Token", token)]);
    }
}
