namespace BrowserIsolation.Runner.Participants;

/// <summary>
/// Cursor and badge colours: distinct, readable on light and dark pages. A participant keeps its colour for the whole
/// session (also across reconnects); a newcomer gets the first colour nobody present wears.
/// </summary>
public sealed class ParticipantColors
{
    public static readonly IReadOnlyList<string> Palette =
    [
        "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
        "#f032e6", "#9a6324", "#469990", "#800000", "#808000", "#000075",
    ];

    private readonly Dictionary<string, string> _assigned = new(StringComparer.Ordinal);

    public string For(string participantId, IEnumerable<string> inUse)
    {
        if (_assigned.TryGetValue(participantId, out var color))
        {
            return color;
        }
        var taken = inUse.ToHashSet(StringComparer.Ordinal);
        color = Palette.FirstOrDefault(c => !taken.Contains(c)) ?? Palette[_assigned.Count % Palette.Count];
        _assigned[participantId] = color;
        return color;
    }
}
