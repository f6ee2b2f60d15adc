using BrowserIsolation.Orchestrator.Auth;

namespace BrowserIsolation.Orchestrator.Apis;

/// <summary>Every endpoint of the orchestrator but health, each with its declared <see cref="ApiAccess"/> (tests enumerate these).</summary>
public static class OrchestratorEndpoints
{
    public static WebApplication MapOrchestratorEndpoints(this WebApplication app)
    {
        app.MapSessionsApi();
        app.MapStreamApi();
        app.MapSignalingApi();
        app.MapTokensApi();
        app.MapControlApi();
        app.MapParticipantsApi();
        app.MapPoolApi();
        // Unknown API and stream paths need an API key too, so they say nothing to anyone else.
        app.Map("/api/{**rest}", (string? rest) => Problems.Create(404, "not_found", "Not found", $"no API at /api/{rest}"))
            .WithAccess(ApiAccess.Operator).ExcludeFromDescription();
        app.Map("/ws/{**rest}", (string? rest) => Problems.Create(404, "not_found", "Not found", $"no stream at /ws/{rest}"))
            .WithAccess(ApiAccess.Operator).ExcludeFromDescription();
        app.MapOpenApi().WithAccess(ApiAccess.Public);
        app.MapFallbackToFile("index.html").WithAccess(ApiAccess.Public);
        return app;
    }
}
