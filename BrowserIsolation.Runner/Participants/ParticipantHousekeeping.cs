namespace BrowserIsolation.Runner.Participants;

/// <summary>Twice a second: reconnect grace and the control idle timeout; every two seconds, connection quality.</summary>
public sealed class ParticipantHousekeeping(ParticipantRegistry registry, ILogger<ParticipantHousekeeping> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        var ticks = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    registry.Tick();
                    if (++ticks % 4 == 0)
                    {
                        registry.BroadcastQuality();
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Participant housekeeping failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
