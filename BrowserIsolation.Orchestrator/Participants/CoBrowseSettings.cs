namespace BrowserIsolation.Orchestrator.Participants;

/// <summary>Checks the co-browsing and embedding configuration before the server starts.</summary>
public static class CoBrowseSettings
{
    public static List<string> Problems(IConfiguration configuration)
    {
        var problems = new List<string>();
        try
        {
            var coBrowse = configuration.GetSection(CoBrowseOptions.Section).Get<CoBrowseOptions>() ?? new();
            problems.AddRange(coBrowse.Validate());
            var embedding = configuration.GetSection(EmbeddingOptions.Section).Get<EmbeddingOptions>() ?? new();
            if (embedding.HeaderValue().Error is { } error)
            {
                problems.Add(error);
            }
        }
        catch (InvalidOperationException ex)
        {
            problems.Add($"CoBrowse/Embedding configuration: {ex.Message}");
        }
        return problems;
    }
}
