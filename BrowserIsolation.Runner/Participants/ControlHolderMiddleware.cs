namespace BrowserIsolation.Runner.Participants;

/// <summary>
/// The browser control API (address bar, history, tabs) and file uploads drive the browser like input does, so a
/// participant needs control for them too (taken on the spot while nobody holds it). A participant that only uses the
/// API (not connected) may drive while nobody holds control. The operator (no participant header) and reset (an
/// owner's call) are not gated.
/// </summary>
public sealed class ControlHolderMiddleware(RequestDelegate next, ParticipantRegistry registry)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (ParticipantHeaders.ParticipantOf(context.Request) is { } participant && Drives(context.Request) &&
            !registry.MayDrive(participant, ParticipantHeaders.RoleOf(context.Request)))
        {
            var viewer = !ParticipantRoles.MayControl(registry.RoleOf(participant) ?? ParticipantHeaders.RoleOf(context.Request));
            await Results.Problem(
                statusCode: viewer ? 403 : 409,
                title: viewer ? "Forbidden" : "Not possible now",
                detail: viewer ? "viewers cannot drive the browser" : "someone else has control: ask for it first",
                extensions: new Dictionary<string, object?> { ["code"] = viewer ? "forbidden" : "no_control" }).ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private static bool Drives(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return false;
        }
        var path = request.Path;
        return (path.StartsWithSegments("/control") && !path.StartsWithSegments("/control/reset")) ||
            path.StartsWithSegments("/tabs") || path.StartsWithSegments("/uploads");
    }
}
