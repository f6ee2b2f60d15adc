using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.Tests.Integration.Docker;

/// <summary>
/// An OTLP/HTTP collector on a loopback port: keeps every export (POST /v1/traces, /v1/metrics, /v1/logs) as it came.
/// Protobuf carries strings as plain UTF-8, so a test can look for a service name or an attribute value in the bytes.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> _exports = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new OtlpReceiver(builder.Build());
        receiver._app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver._exports.Enqueue((signal, body.ToArray()));
            return Results.Bytes([], "application/x-protobuf");
        });
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Endpoint = new Uri(address);
        return receiver;
    }

    /// <summary>Waits for an export of <paramref name="signal"/> (traces, metrics, logs) containing every one of <paramref name="texts"/>.</summary>
    public Task WaitForAsync(string signal, TimeSpan timeout, params string[] texts) =>
        DockerFixture.WaitUntilAsync(() => Task.FromResult(_exports.Any(e => e.Signal == signal &&
            texts.All(t => e.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(t)) >= 0))), timeout);

    public string Dump => string.Join("\n", _exports.Select(e => e.Signal + ": " + new string(Encoding.UTF8.GetString(e.Body).Select(c => char.IsControl(c) ? '.' : c).ToArray())));

    public string Summary => string.Join(", ", _exports.GroupBy(e => e.Signal).Select(g => $"{g.Key}: {g.Count()}"));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
