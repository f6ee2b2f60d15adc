using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// One client connection to <see cref="EgressProxy"/>: one CONNECT tunnel, or one plain HTTP exchange (the proxy
/// answers <c>Connection: close</c>, so a keep-alive client can never slip a second, unchecked request in).
/// </summary>
internal sealed class ProxyConnection(EgressProxy proxy, Socket clientSocket)
{
    private static readonly HashSet<string> HopByHopRequest = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Proxy-Connection", "Proxy-Authorization", "Keep-Alive", "TE", "Upgrade",
        "Transfer-Encoding", "Content-Length",
    };

    private static readonly HashSet<string> HopByHopResponse = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
    };

    private readonly EgressOptions _options = proxy.Options;
    private readonly int _bufferSize = Math.Max(16 * 1024, proxy.Options.MaxHeaderBytes + 4096);
    private string _kind = "http";

    public async Task RunAsync(CancellationToken stopping)
    {
        using var watch = new IdleWatch(_options.IdleTimeout, stopping);
        using var client = new ProxyStream(clientSocket, watch, _bufferSize);

        HttpHead request;
        try
        {
            using var headTimeout = CancellationTokenSource.CreateLinkedTokenSource(watch.Token);
            headTimeout.CancelAfter(_options.HeaderTimeout);
            var bytes = await client.ReadHeadAsync(_options.MaxHeaderBytes, headTimeout.Token);
            if (bytes is null)
            {
                return;
            }
            request = HttpHead.ParseRequest(bytes);
        }
        catch (HttpHeadException e)
        {
            await FailAsync(client, e.Status, e.Message, watch.Token);
            return;
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            await FailAsync(client, 408, "The request head did not arrive in time.", CancellationToken.None);
            return;
        }

        try
        {
            if (request.Method == "CONNECT")
            {
                _kind = "connect";
                await TunnelAsync(client, request, watch.Token);
            }
            else
            {
                await ForwardAsync(client, request, watch.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException or HttpHeadException
                                      or OperationCanceledException or ObjectDisposedException)
        {
            proxy.Logger.LogDebug("Egress {Kind} {Target} ended: {Message}{Idle}", _kind, request.Target, e.Message,
                watch.Expired ? " (idle timeout)" : "");
        }
    }

    private async Task TunnelAsync(ProxyStream client, HttpHead request, CancellationToken ct)
    {
        if (!HostPort.TrySplit(request.Target, null, out var host, out var port))
        {
            await FailAsync(client, 400, "CONNECT needs host:port.", ct);
            return;
        }
        var decision = await CheckAsync(client, null, host, port, null, ct);
        if (decision is null)
        {
            return;
        }
        using var upstream = await ConnectAsync(client, decision, ct);
        if (upstream is null)
        {
            return;
        }
        Count("allowed");
        await client.WriteAsync(ProxyResponses.TunnelEstablished, ct);
        await RelayBothWaysAsync(client, upstream, ct);
    }

    private async Task ForwardAsync(ProxyStream client, HttpHead request, CancellationToken ct)
    {
        if (!TrySplitAbsoluteHttp(request.Target, out var authority, out var pathAndQuery))
        {
            await FailAsync(client, 400, "This is a forward proxy: send CONNECT or an absolute http:// URL.", ct);
            return;
        }
        if (!HostPort.TrySplit(authority, 80, out var host, out var port)
            || !Uri.TryCreate("http://" + authority + pathAndQuery, UriKind.Absolute, out var url))
        {
            await FailAsync(client, 400, "The request URL is not valid.", ct);
            return;
        }

        // Body framing is settled before anything goes upstream; ambiguity is refused (RFC 9112 6.3).
        var transferCodings = request.Tokens("Transfer-Encoding");
        var lengths = request.GetAll("Content-Length").SelectMany(v => v.Split(',')).Select(v => v.Trim()).Distinct().ToList();
        long contentLength = 0;
        var chunked = false;
        if (transferCodings.Count > 0)
        {
            if (lengths.Count > 0 || transferCodings is not ["chunked"])
            {
                await FailAsync(client, 400, "Unsupported or ambiguous Transfer-Encoding.", ct);
                return;
            }
            chunked = true;
        }
        else if (lengths.Count > 0 && (lengths.Count > 1 || !lengths[0].All(char.IsAsciiDigit) || !long.TryParse(lengths[0], out contentLength)))
        {
            await FailAsync(client, 400, "Invalid Content-Length.", ct);
            return;
        }
        var upgrade = request.Tokens("Connection").Contains("upgrade") && request.Get("Upgrade") is { Length: > 0 };
        if (upgrade && (chunked || contentLength > 0))
        {
            await FailAsync(client, 400, "An upgrade request has no body.", ct);
            return;
        }

        var decision = await CheckAsync(client, "http", host, port, url, ct);
        if (decision is null)
        {
            return;
        }
        using var upstream = await ConnectAsync(client, decision, ct);
        if (upstream is null)
        {
            return;
        }
        Count("allowed");

        var connectionTokens = request.Tokens("Connection");
        var headers = request.Headers
            .Where(h => !HopByHopRequest.Contains(h.Key) && !connectionTokens.Contains(h.Key.ToLowerInvariant()))
            .Prepend(new("Host", authority))
            .ToList();
        if (chunked)
        {
            headers.Add(new("Transfer-Encoding", "chunked"));
        }
        else if (lengths.Count > 0)
        {
            headers.Add(new("Content-Length", contentLength.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (upgrade)
        {
            headers.Add(new("Connection", "Upgrade"));
            headers.Add(new("Upgrade", request.Get("Upgrade")!));
        }
        else
        {
            headers.Add(new("Connection", "close"));
        }
        await upstream.WriteAsync(HttpHead.Build($"{request.Method} {pathAndQuery} HTTP/1.1", headers), ct);

        using var bodyCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var body = chunked ? client.CopyChunkedAsync(upstream, bodyCts.Token)
            : contentLength > 0 ? client.CopyExactAsync(upstream, contentLength, bodyCts.Token)
            : Task.CompletedTask;

        try
        {
            while (true)
            {
                var bytes = await upstream.ReadHeadAsync(_options.MaxHeaderBytes, ct);
                if (bytes is null)
                {
                    await FailAsync(client, 502, "The upstream server closed the connection without a response.", ct);
                    return;
                }
                var response = HttpHead.ParseResponse(bytes);
                var status = response.Status;
                if (status == 101)
                {
                    if (!upgrade)
                    {
                        await FailAsync(client, 502, "The upstream server switched protocols unasked.", ct);
                        return;
                    }
                    await client.WriteAsync(bytes, ct);
                    await body;
                    await RelayBothWaysAsync(client, upstream, ct);
                    return;
                }
                if (status < 200)
                {
                    await client.WriteAsync(bytes, ct); // 100 Continue, 103 Early Hints
                    continue;
                }

                var responseTokens = response.Tokens("Connection");
                var responseHeaders = response.Headers
                    .Where(h => !HopByHopResponse.Contains(h.Key) && !responseTokens.Contains(h.Key.ToLowerInvariant()))
                    .Append(new("Connection", "close"))
                    .Append(new("Proxy-Connection", "close"));
                await client.WriteAsync(HttpHead.Build($"{response.First} {response.Second} {response.Third}".TrimEnd(), responseHeaders), ct);

                var codings = response.Tokens("Transfer-Encoding");
                if (request.Method == "HEAD" || status is 204 or 304)
                {
                }
                else if (codings.Count > 0)
                {
                    if (codings[^1] == "chunked")
                    {
                        await upstream.CopyChunkedAsync(client, ct);
                    }
                    else
                    {
                        await upstream.CopyToEndAsync(client, ct);
                    }
                }
                else if (response.Get("Content-Length") is { } lengthText && long.TryParse(lengthText, out var length) && length >= 0)
                {
                    await upstream.CopyExactAsync(client, length, ct);
                }
                else
                {
                    await upstream.CopyToEndAsync(client, ct);
                }
                break;
            }
        }
        finally
        {
            // A server may answer before it has read the whole body; stop relaying it.
            bodyCts.Cancel();
            try
            {
                await body;
            }
            catch (Exception e) when (e is IOException or SocketException or InvalidDataException or OperationCanceledException)
            {
            }
        }
        await client.CloseGracefullyAsync();
    }

    /// <summary>Runs the gate; on refusal answers the client, reports, and returns null.</summary>
    private async Task<EgressDecision?> CheckAsync(ProxyStream client, string? scheme, string host, int port, Uri? url, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.ConnectTimeout);
        EgressDecision decision;
        try
        {
            decision = await proxy.Gate.CheckAsync(scheme, host, port, url, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            decision = new EgressDecision(EgressOutcome.Unresolvable, host, port, "resolve_timeout", "Name resolution timed out.", []);
        }

        if (decision.Allowed && decision.Addresses.Any(a => EgressGate.IsSameEndpoint(a, proxy.Endpoint, port)))
        {
            decision = decision with { Outcome = EgressOutcome.Refused, Category = "proxy_loop", Reason = "The address is this proxy itself." };
        }

        switch (decision.Outcome)
        {
            case EgressOutcome.Allowed:
                return decision;
            case EgressOutcome.Unresolvable:
                Count("unresolvable");
                await FailAsync(client, 502, decision.Reason, ct);
                return null;
            default:
                Count("refused");
                var target = url?.AbsoluteUri ?? $"{decision.Host}:{port}";
                proxy.ReportRefusal(new EgressRefusal(decision.Host, port, url?.AbsoluteUri, url is null, decision.Category, decision.Reason, DateTimeOffset.UtcNow));
                await client.WriteAsync(url is null ? ProxyResponses.Plain(403, decision.Reason) : ProxyResponses.Blocked(target, decision.Reason), ct);
                await client.CloseGracefullyAsync();
                return null;
        }
    }

    /// <summary>Connects to the checked addresses in order and to nothing else.</summary>
    private async Task<ProxyStream?> ConnectAsync(ProxyStream client, EgressDecision decision, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.ConnectTimeout);
        Exception? last = null;
        foreach (var address in decision.Addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, decision.Port), timeout.Token);
                return new ProxyStream(socket, client.Watch, _bufferSize);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                last = e;
                if (ct.IsCancellationRequested)
                {
                    throw;
                }
                if (timeout.IsCancellationRequested)
                {
                    break;
                }
            }
        }
        Count("upstream_error");
        proxy.Logger.LogDebug("Egress connect to {Host}:{Port} failed: {Message}", decision.Host, decision.Port, last?.Message);
        var message = timeout.IsCancellationRequested
            ? $"Connecting to {decision.Host}:{decision.Port} timed out."
            : $"Could not connect to {decision.Host}:{decision.Port}.";
        await FailAsync(client, timeout.IsCancellationRequested ? 504 : 502, message, ct);
        return null;
    }

    private static async Task RelayBothWaysAsync(ProxyStream client, ProxyStream upstream, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        async Task Pump(ProxyStream from, ProxyStream to)
        {
            try
            {
                await from.CopyToEndAsync(to, linked.Token);
                to.ShutdownSend();
            }
            catch
            {
                // One side broke: the other cannot finish meaningfully.
                linked.Cancel();
                throw;
            }
        }
        await Task.WhenAll(Pump(client, upstream), Pump(upstream, client));
    }

    private async Task FailAsync(ProxyStream client, int status, string message, CancellationToken ct)
    {
        if (status is 400 or 408 or 431 or 505)
        {
            Count("bad_request");
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await client.WriteAsync(ProxyResponses.Plain(status, message), timeout.Token);
            await client.CloseGracefullyAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private void Count(string outcome) => proxy.Metrics.Requests.Add(1,
        new KeyValuePair<string, object?>("kind", _kind),
        new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Splits <c>http://authority/path?query</c>; the scheme is case-insensitive, a fragment is dropped.</summary>
    internal static bool TrySplitAbsoluteHttp(string target, out string authority, out string pathAndQuery)
    {
        authority = pathAndQuery = "";
        if (!target.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var rest = target[7..];
        var hash = rest.IndexOf('#');
        if (hash >= 0)
        {
            rest = rest[..hash];
        }
        var end = rest.IndexOfAny(['/', '?']);
        authority = end < 0 ? rest : rest[..end];
        pathAndQuery = end < 0 ? "/" : rest[end..];
        if (pathAndQuery[0] == '?')
        {
            pathAndQuery = "/" + pathAndQuery;
        }
        return authority.Length > 0 && !authority.Contains('@') && !authority.Contains('\\');
    }
}
