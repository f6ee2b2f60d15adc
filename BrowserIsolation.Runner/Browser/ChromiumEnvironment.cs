namespace BrowserIsolation.Runner.Browser;

/// <summary>
/// Chromium's whole environment, renderers included: nothing inherited from the runner (whose environment may hold its
/// token in a container) but the search path and locale. Everything it writes outside the profile (crash database, NSS
/// db, caches, scratch dirs) goes to the work dir. The egress proxy is a command-line flag, so no proxy variables.
/// </summary>
internal static class ChromiumEnvironment
{
    private static readonly string[] Inherited = ["PATH", "LANG", "LANGUAGE", "TZ"];

    public static Dictionary<string, string> For(string workDir)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value && (Inherited.Contains(name) || name.StartsWith("LC_", StringComparison.Ordinal)))
            {
                env[name] = value;
            }
        }
        env.TryAdd("PATH", "/usr/local/bin:/usr/bin:/bin");
        env["HOME"] = workDir;
        env["XDG_CONFIG_HOME"] = Path.Combine(workDir, "config");
        env["XDG_CACHE_HOME"] = Path.Combine(workDir, "cache");
        env["XDG_DATA_HOME"] = Path.Combine(workDir, "data");
        // Chromium's scratch directories (org.chromium.Chromium.*) would otherwise outlive the session in /tmp.
        env["TMPDIR"] = Path.Combine(workDir, "tmp");
        return env;
    }
}
