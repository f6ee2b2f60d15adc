using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Participants;

/// <summary>
/// Shares pointer positions: each participant's newest position goes to everyone else at most
/// <see cref="CoBrowseOptions.CursorRate"/> times a second (the first move at once, later ones on a tick that stops
/// when nobody moves). Clicks are told at once, as ripples.
/// </summary>
public sealed class CursorRelay(ParticipantRegistry registry, IOptions<CoBrowseOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, object> _pending = new(StringComparer.Ordinal);
    private readonly TimeSpan _interval = TimeSpan.FromSeconds(1.0 / Math.Clamp(options.Value.CursorRate, 1, 120));
    private bool _ticking;

    public void Move(string participantId, double x, double y) =>
        Offer(participantId, new { type = "cursor", participantId, x = Math.Round(x), y = Math.Round(y) });

    public void Hide(string participantId) => Offer(participantId, new { type = "cursor", participantId, hidden = true });

    public void Click(string participantId, double x, double y, string button) =>
        registry.Send(new { type = "click", participantId, x = Math.Round(x), y = Math.Round(y), button }, _ => true);

    private void Offer(string participantId, object message)
    {
        lock (_gate)
        {
            if (_ticking)
            {
                _pending[participantId] = message;
                return;
            }
            _ticking = true;
        }
        SendToOthers(participantId, message);
        _ = TickAsync();
    }

    private async Task TickAsync()
    {
        while (true)
        {
            await Task.Delay(_interval);
            List<KeyValuePair<string, object>> due;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _ticking = false;
                    return;
                }
                due = [.. _pending];
                _pending.Clear();
            }
            foreach (var (participantId, message) in due)
            {
                SendToOthers(participantId, message);
            }
        }
    }

    private void SendToOthers(string participantId, object message) => registry.Send(message, p => p.Id != participantId);
}
