using System.Text.Json;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>
/// The seccomp profile runner containers get: Docker's default profile (as applied with every capability dropped) plus
/// clone, unshare, setns and chroot, which Chromium's namespace sandbox needs. Shipped as BrowserIsolation.Runner/seccomp.json,
/// embedded in this assembly; <c>Runner:Docker:SeccompProfile</c> may point to another file.
/// </summary>
internal static class SeccompProfile
{
    private const string ResourceName = "BrowserIsolation.Runner.seccomp.json";

    /// <summary>The profile as one compact JSON string, the form <c>SecurityOpt seccomp=</c> takes over the API.</summary>
    public static string Load(string? path)
    {
        string json;
        if (string.IsNullOrWhiteSpace(path))
        {
            using var stream = typeof(SeccompProfile).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from the orchestrator");
            using var reader = new StreamReader(stream);
            json = reader.ReadToEnd();
        }
        else
        {
            json = File.ReadAllText(path);
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("defaultAction", out _))
            {
                throw new InvalidOperationException($"seccomp profile {path ?? ResourceName} has no defaultAction");
            }
            return JsonSerializer.Serialize(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"seccomp profile {path ?? ResourceName} is not valid JSON: {e.Message}", e);
        }
    }
}
