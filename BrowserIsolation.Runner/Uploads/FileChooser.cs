namespace BrowserIsolation.Runner.Uploads;

/// <summary>A file chooser a page opened and nobody answered yet.</summary>
/// <param name="Id">random, handed to the participants in control.</param>
/// <param name="Multiple">the input takes several files.</param>
/// <param name="Accept">the input's accept attribute, as a hint for the local picker.</param>
public sealed record FileChooser(string Id, string TabId, string SessionId, int BackendNodeId, bool Multiple, string? Accept, DateTimeOffset OpenedAt);
