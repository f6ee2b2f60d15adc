using System.Collections;

namespace BrowserIsolation.Orchestrator.Runners.Process;

/// <summary>
/// A process runner's environment, built from an empty one: the few host variables .NET and telemetry need, the runner
/// settings of the orchestrator's configuration (<see cref="RunnerSettings"/>), and the runner's own settings. Its
/// token is not among them: it arrives on standard input (<c>Runner:TokenSource=stdin</c>), so neither
/// <c>/proc/&lt;pid&gt;/environ</c> nor <c>/proc/&lt;pid&gt;/cmdline</c> shows it.
/// </summary>
internal static class RunnerEnvironment
{
    private static readonly HashSet<string> HostNames = new(StringComparer.Ordinal)
    {
        "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "LD_LIBRARY_PATH", "SSL_CERT_FILE", "SSL_CERT_DIR",
        "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT",
    };

    /// <summary>Locale, .NET runtime knobs (DOTNET_ROOT, DOTNET_gcServer…) and OTLP exporter settings.</summary>
    private static readonly string[] HostPrefixes = ["LC_", "DOTNET_", "OTEL_"];

    /// <summary>
    /// A host variable a runner may have. <c>DOTNET_</c> and <c>ASPNETCORE_</c> variables with <c>__</c> are configuration
    /// (<c>ASPNETCORE_Kestrel__Certificates__Default__Password</c>), never passed on.
    /// </summary>
    public static bool IsAllowedFromHost(string name) =>
        HostNames.Contains(name) ||
        HostPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)) && !(name.StartsWith("DOTNET_", StringComparison.Ordinal) && name.Contains("__", StringComparison.Ordinal));

    /// <summary>Replaces <paramref name="target"/> (a ProcessStartInfo's environment, a copy of ours) with the allowed host variables.</summary>
    public static void KeepOnlyHostBasics(IDictionary<string, string?> target)
    {
        target.Clear();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && IsAllowedFromHost(name) && entry.Value is string value)
            {
                target[name] = value;
            }
        }
    }
}
