using System.Text.Json;

namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>Reads a Chromium --log-net-log file: which host names Chromium's own resolver worked on.</summary>
internal static class NetLog
{
    public static IReadOnlySet<string> ResolvedHosts(string path)
    {
        var text = File.ReadAllText(path).TrimEnd();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            // A log cut short by a crash: close the events array and the object.
            doc = JsonDocument.Parse(text.TrimEnd(',') + "]}");
        }
        using (doc)
        {
            var jobTypes = doc.RootElement.GetProperty("constants").GetProperty("logEventTypes").EnumerateObject()
                .Where(p => p.Name.StartsWith("HOST_RESOLVER_MANAGER_JOB", StringComparison.Ordinal) || p.Name == "HOST_RESOLVER_DNS_TASK")
                .Select(p => p.Value.GetInt32())
                .ToHashSet();
            var hosts = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in doc.RootElement.GetProperty("events").EnumerateArray())
            {
                if (jobTypes.Contains(e.GetProperty("type").GetInt32())
                    && e.TryGetProperty("params", out var p) && p.TryGetProperty("host", out var host))
                {
                    hosts.Add(host.ToString());
                }
            }
            return hosts;
        }
    }
}
