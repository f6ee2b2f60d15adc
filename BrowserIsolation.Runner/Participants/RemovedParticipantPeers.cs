using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Runner.Participants;

/// <summary>A removed participant loses its video too: its WebRTC peers (named by the orchestrator's ?participant=) close.</summary>
public sealed class RemovedParticipantPeers(ParticipantRegistry registry, IServiceProvider services, ILogger<RemovedParticipantPeers> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        registry.Removed += Close;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        registry.Removed -= Close;
        return Task.CompletedTask;
    }

    private void Close(string participantId)
    {
        if (services.GetService<WebRtcService>() is not { } webRtc)
        {
            return;
        }
        foreach (var peer in webRtc.Peers.Where(p => p.Participant == participantId))
        {
            logger.LogInformation("Closing WebRTC peer {Peer} of removed participant {Participant}", peer.Id, participantId);
            webRtc.ClosePeer(peer.Id, "participant removed");
        }
    }
}
