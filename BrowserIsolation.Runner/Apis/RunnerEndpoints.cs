using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Runner.Apis;

/// <summary>The runner's API: all of it the orchestrator's (the runner token), one declared rule for the group.</summary>
public static class RunnerEndpoints
{
    public static IEndpointRouteBuilder MapRunnerEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("").RequireAuthorization(RunnerTokenAuthentication.OrchestratorPolicy);
        api.MapRunnerApi();
        api.MapControlApi();
        api.MapPolicyApi();
        api.MapParticipantsApi();
        api.MapUploadsApi();
        api.MapWebRtc();
        return app;
    }
}
