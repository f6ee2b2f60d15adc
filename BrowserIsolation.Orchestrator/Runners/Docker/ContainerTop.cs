namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>Response of GET /containers/{id}/top: ps output, one row per process, columns named by <see cref="Titles"/>.</summary>
public sealed record ContainerTop(List<string> Titles, List<List<string>> Processes)
{
    /// <summary>The values of one column (e.g. <c>PID</c>, <c>COMMAND</c>) over all processes.</summary>
    public IEnumerable<string> Column(string title)
    {
        var index = Titles.FindIndex(t => string.Equals(t, title, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? [] : Processes.Select(p => p[index]);
    }
}
