using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>HTTP surface of WebRTC on the runner: POST /webrtc/offer (SDP in, SDP out) and DELETE /webrtc/peers/{id}.</summary>
public static class WebRtcEndpoints
{
    private const int MaxBodyBytes = SdpOffer.MaxLength;

    /// <summary>Registers <see cref="WebRtcService"/> (options from the "Media" section) and its video source.</summary>
    public static IServiceCollection AddWebRtc(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WebRtcTransportOptions>(configuration.GetSection(WebRtcTransportOptions.Section));
        services.AddSingleton<WebRtcService>();
        // Video (and sound) for every peer from the runner's one VideoPipeline and AudioPipeline (AddVideoPipeline, AddAudio).
        services.AddSingleton<IWebRtcMediaSource, PeerMediaSource>();
        return services;
    }

    /// <summary>
    /// Maps the endpoints. The service (certificate, UDP socket) starts with the first offer, so a runner that only
    /// ever serves JPEG opens no UDP port.
    /// </summary>
    public static RouteGroupBuilder MapWebRtc(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/webrtc");
        group.MapPost("/offer", PostOffer);
        group.MapGet("/stats", GetStats);
        group.MapDelete("/peers/{id}", (string id, WebRtcService service) =>
            service.ClosePeer(id, "closed by the client") ? Results.NoContent() : Problem(404, "Unknown peer", $"No WebRTC peer '{id}'."));
        return group;
    }

    private static async Task<IResult> PostOffer(HttpRequest request, IServiceProvider services)
    {
        string? body;
        try
        {
            body = await ReadBodyAsync(request);
        }
        catch (InvalidDataException e)
        {
            return Problem(413, "Offer too large", e.Message);
        }
        if (body is null)
        {
            return Problem(400, "Invalid offer", "The body is not UTF-8 text.");
        }
        var sdp = body;
        if (IsJson(request.ContentType) || body.TrimStart().StartsWith('{'))
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                sdp = json.RootElement.ValueKind == JsonValueKind.Object
                      && json.RootElement.TryGetProperty("sdp", out var value)
                      && value.ValueKind == JsonValueKind.String
                    ? value.GetString()!
                    : throw new SdpException("The JSON body needs a string property \"sdp\".");
            }
            catch (JsonException e)
            {
                return Problem(400, "Invalid offer", "The body is not valid JSON: " + e.Message);
            }
            catch (SdpException e)
            {
                return Problem(400, "Invalid offer", e.Message);
            }
        }
        WebRtcService service;
        try
        {
            service = services.GetRequiredService<WebRtcService>();
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or FormatException or InvalidOperationException or DllNotFoundException)
        {
            return Problem(503, "WebRTC unavailable", "The WebRTC transport could not start: " + e.GetBaseException().Message);
        }
        try
        {
            var participant = request.Query["participant"].ToString();
            // The orchestrator passes the join token's expiry (Unix seconds): the peer closes then.
            DateTimeOffset? expires = long.TryParse(request.Query["expires"], out var unix) && unix > 0
                ? DateTimeOffset.FromUnixTimeSeconds(Math.Min(unix, 253402300799)) : null;
            var peer = service.AcceptOffer(sdp, participant.Length is > 0 and <= 64 ? participant : null, expires);
            return new SdpResult(peer.Answer.Sdp, "/webrtc/peers/" + peer.Id);
        }
        catch (SdpException e)
        {
            return Problem(400, "Invalid offer", e.Message);
        }
        catch (WebRtcCapacityException e) when (e.PerParticipant)
        {
            return Results.Problem(statusCode: 429, title: "Too many peers", detail: e.Message,
                extensions: new Dictionary<string, object?> { ["code"] = "peer_limit" });
        }
        catch (WebRtcCapacityException e)
        {
            return Problem(503, "Too many peers", e.Message);
        }
    }

    /// <summary>Peers and the shared encoder: what a test or an operator needs to see the WebRTC path work.</summary>
    private static IResult GetStats(WebRtcService service, IServiceProvider services)
    {
        var media = services.GetService<IWebRtcMediaSource>() as PeerMediaSource;
        var pipeline = media?.Pipeline;
        var audio = media?.Audio;
        return Results.Ok(new
        {
            udpPort = service.Port.LocalEndPoint.Port,
            candidates = service.Port.Candidates.Select(c => c.Address.ToString()),
            peersCreated = service.PeersCreated,
            datagramsReceived = service.Port.DatagramsReceived,
            datagramsDropped = service.Port.Dropped,
            encoder = pipeline is null ? null : new
            {
                encodedFrames = pipeline.EncodedFrames,
                keyframes = pipeline.Keyframes,
                repeatedFrames = pipeline.RepeatedFrames,
                subscribers = pipeline.SubscriberCount,
                bitrate = pipeline.EffectiveBitrate,
            },
            audio = audio is null ? null : new
            {
                available = audio.IsAvailable,
                allowed = audio.IsAllowed,
                capturing = audio.IsCapturing,
                subscribers = audio.SubscriberCount,
                encodedFrames = audio.EncodedFrames,
                deliveredFrames = audio.DeliveredFrames,
                deliveredBytes = audio.DeliveredBytes,
                silentFrames = audio.SilentFrames,
                gaps = audio.Gaps,
                captureFailures = audio.CaptureFailures,
            },
            peers = service.Peers.Select(p => new
            {
                id = p.Id,
                participant = p.Participant,
                state = p.State.ToString().ToLowerInvariant(),
                remote = p.RemoteEndPoint?.ToString(),
                connectMs = p.TimeToConnected?.TotalMilliseconds,
                dtlsHandshakeMs = p.Dtls.HandshakeDuration?.TotalMilliseconds,
                srtpProfile = p.Dtls.Profile.ToString(),
                rtpPacketsSent = p.RtpPacketsSent,
                rtcpPacketsReceived = p.RtcpPacketsReceived,
                framesSent = p.VideoSender?.FramesSent ?? 0,
                pliReceived = p.VideoSender?.PliReceived ?? 0,
                firReceived = p.VideoSender?.FirReceived ?? 0,
                nackedPackets = p.VideoSender?.NackedPackets ?? 0,
                retransmitted = p.VideoSender?.Retransmitted ?? 0,
                targetBitrate = p.VideoSender?.TargetBitrate ?? 0,
                roundTripMs = p.VideoSender?.RoundTripTime?.TotalMilliseconds,
                transportCc = TransportCcStats(p.VideoSender),
                audioFramesSent = p.AudioSender?.FramesSent ?? 0,
            }),
        });
    }

    /// <summary>Transport-wide congestion control of one peer, null when not negotiated.</summary>
    private static object? TransportCcStats(VideoRtpSender? sender)
    {
        if (sender?.Congestion is not { } congestion)
        {
            return null;
        }
        var s = congestion.Snapshot();
        return new
        {
            feedbackReceived = congestion.FeedbackReceived,
            packetsReported = congestion.PacketsReported,
            packetsLost = congestion.PacketsLost,
            estimate = s.TargetBps,
            delayBased = (long)s.DelayBasedBps,
            lossBased = (long)s.LossBasedBps,
            acked = (long?)s.AckedBps,
            sendRate = (long)s.SendRateBps,
            usage = s.Usage.ToString().ToLowerInvariant(),
            applicationLimited = s.ApplicationLimited,
            lossRatio = s.LossRatio,
            probesSent = sender.ProbesSent,
            probeResults = s.ProbeResults,
            lastProbe = (long)s.LastProbeBps,
        };
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Contains("json", StringComparison.OrdinalIgnoreCase);

    private static async Task<string?> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new InvalidDataException($"The body is larger than {MaxBodyBytes} bytes.");
        }
        var buffer = new byte[MaxBodyBytes + 1];
        var total = 0;
        int read;
        while ((read = await request.Body.ReadAsync(buffer.AsMemory(total, buffer.Length - total), request.HttpContext.RequestAborted)) > 0)
        {
            total += read;
            if (total > MaxBodyBytes)
            {
                throw new InvalidDataException($"The body is larger than {MaxBodyBytes} bytes.");
            }
        }
        try
        {
            return new UTF8Encoding(false, true).GetString(buffer, 0, total);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>200 with the answer as application/sdp; Location names the peer for DELETE.</summary>
    private sealed class SdpResult(string sdp, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.Headers.Location = location;
            httpContext.Response.ContentType = "application/sdp";
            return httpContext.Response.WriteAsync(sdp);
        }
    }
}
