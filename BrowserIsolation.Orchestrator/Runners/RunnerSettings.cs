namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>
/// The parts of the orchestrator's configuration a runner reads, passed on explicitly as environment variables
/// (<c>Media:Bitrate</c> → <c>Media__Bitrate</c>). Runners inherit nothing else: the orchestrator's secrets (API keys,
/// signing key, Redis connection string, TURN secret) live in sections that are never passed on.
/// </summary>
public static class RunnerSettings
{
    /// <summary>Everything a process runner reads from the orchestrator's configuration.</summary>
    public static readonly string[] ProcessSections = ["Policy", "Media", "Audio", "Chromium", "CoBrowse", "Logging", "Uploads", "Downloads"];

    /// <summary>Docker runners get the quotas and the sound settings; their media and Chromium settings are the container's own.</summary>
    public static readonly string[] DockerSections = ["Uploads", "Downloads", "Audio"];

    /// <summary>The runner's own <c>Runner</c> keys that the operator sets on the orchestrator (the rest of that section is the orchestrator's).</summary>
    private static readonly string[] RunnerKeys = ["Runner:MaxTabs", "Runner:MaxInputEventsPerSecond", "Runner:MaxClientMessageBytes"];

    public static Dictionary<string, string> From(IConfiguration configuration, IEnumerable<string> sections)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
            {
                if (value is not null)
                {
                    env[EnvironmentName(key)] = value;
                }
            }
        }
        foreach (var key in RunnerKeys)
        {
            if (configuration[key] is { } value)
            {
                env[EnvironmentName(key)] = value;
            }
        }
        return env;
    }

    private static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
