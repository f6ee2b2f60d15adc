using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BrowserIsolation.Runner.Policy;

namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>The egress proxy over real loopback sockets, without a browser: protocol handling and robustness.</summary>
[Trait("Category", "Integration")]
public sealed class EgressProxyTests : EgressServersTest
{
    private static async Task<string> ExchangeAsync(int port, string request)
    {
        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync(request);
        return await raw.ReadToEndAsync();
    }

    private string[] CanaryAuthorities => CanaryTargets.Authorities(Canary.Port);

    [Fact]
    public async Task PlainHttpToTheAllowedServerIsForwarded()
    {
        await using var h = ProxyHarness.Start();
        var response = await ExchangeAsync(h.Port, $"GET {Content.Http}/hello HTTP/1.1\r\nHost: ignored.example\r\nProxy-Connection: keep-alive\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.Contains("hello from content", response);
        Assert.Contains("Connection: close", response);

        var byName = await ExchangeAsync(h.Port, $"GET http://content.test:{Content.HttpPort}/hello HTTP/1.1\r\nHost: content.test\r\n\r\n");
        Assert.Contains("hello from content", byName);
    }

    [Fact]
    public async Task ConnectToTheAllowedServerTunnels()
    {
        await using var h = ProxyHarness.Start();
        using var raw = await RawHttp.ConnectAsync(h.Port);
        await raw.SendAsync($"CONNECT 127.0.0.2:{Content.HttpPort} HTTP/1.1\r\nHost: 127.0.0.2:{Content.HttpPort}\r\n\r\n");
        var established = await raw.ReadUntilAsync("\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", established);
        await raw.SendAsync("GET /hello HTTP/1.1\r\nHost: 127.0.0.2\r\nConnection: close\r\n\r\n");
        Assert.Contains("hello from content", await raw.ReadToEndAsync());
    }

    [Fact]
    public async Task EveryCanarySpellingIsRefusedForPlainHttpWithABlockPage()
    {
        await using var h = ProxyHarness.Start();
        foreach (var authority in CanaryAuthorities)
        {
            var response = await ExchangeAsync(h.Port, $"GET http://{authority}/ HTTP/1.1\r\nHost: {authority}\r\n\r\n");
            Assert.True(response.StartsWith("HTTP/1.1 403", StringComparison.Ordinal), $"{authority}: {response}");
            Assert.Contains(BlockPage.MarkerId, response);
            Assert.Contains("Content-Security-Policy: default-src 'none'", response);
        }
        Assert.True(Canary.Hits == 0, Canary.Describe());
        Assert.Equal(CanaryAuthorities.Length, h.Refusals.Count);
        Assert.All(h.Refusals, r => Assert.False(r.Tunnel));
    }

    [Fact]
    public async Task EveryCanarySpellingIsRefusedForConnect()
    {
        await using var h = ProxyHarness.Start();
        foreach (var authority in CanaryAuthorities)
        {
            var response = await ExchangeAsync(h.Port, $"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
            Assert.True(response.StartsWith("HTTP/1.1 403", StringComparison.Ordinal), $"{authority}: {response}");
        }
        Assert.True(Canary.Hits == 0, Canary.Describe());
        Assert.All(h.Refusals, r => Assert.True(r.Tunnel));
    }

    [Fact]
    public async Task MetadataAndPrivateAddressesAreRefusedWithoutConnecting()
    {
        await using var h = ProxyHarness.Start();
        foreach (var target in new[] { "169.254.169.254", "2852039166", "metadata.test", "10.0.0.1", "192.168.0.1", "[fd00::1]", "[fe80::1]", "100.64.0.1", "0.0.0.0" })
        {
            var response = await ExchangeAsync(h.Port, $"GET http://{target}/latest/meta-data/ HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.True(response.StartsWith("HTTP/1.1 403", StringComparison.Ordinal), $"{target}: {response}");
        }
        Assert.Contains(h.Refusals, r => r.Category == "link_local" && r.Reason.Contains("169.254.169.254"));
    }

    [Fact]
    public async Task ANameWithAnyRefusedAddressIsRefused()
    {
        await using var h = ProxyHarness.Start();
        var rebind = await ExchangeAsync(h.Port, $"GET http://rebind.test:{Canary.Port}/ HTTP/1.1\r\nHost: rebind.test\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 403", rebind);
        Assert.Contains("rebind.test resolves to", rebind);
        Assert.True(Canary.Hits == 0, Canary.Describe());
    }

    [Fact]
    public async Task TheProxyConnectsOnlyToTheAddressItChecked()
    {
        // A rebinding resolver: every lookup after the first points at the canary. The proxy looks up once per request.
        await using var h = ProxyHarness.Start();
        var calls = 0;
        h.Resolver.Names["flip.test"] = () => Interlocked.Increment(ref calls) == 1
            ? [IPAddress.Parse("127.0.0.2")]
            : [IPAddress.Parse("127.0.0.3")];
        var first = await ExchangeAsync(h.Port, $"GET http://flip.test:{Content.HttpPort}/hello HTTP/1.1\r\nHost: flip.test\r\n\r\n");
        Assert.Contains("hello from content", first);
        Assert.Equal(1, calls);
        var second = await ExchangeAsync(h.Port, $"GET http://flip.test:{Canary.Port}/ HTTP/1.1\r\nHost: flip.test\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 403", second);
        Assert.True(Canary.Hits == 0, Canary.Describe());
    }

    [Fact]
    public async Task AllowHostPortOpensExactlyOnePort()
    {
        await using var h = ProxyHarness.Start(o =>
        {
            o.AllowCidrs = [];
            o.AllowHostPorts = [$"127.0.0.2:{Content.HttpPort}"];
        });
        Assert.StartsWith("HTTP/1.1 200", await ExchangeAsync(h.Port, $"GET {Content.Http}/hello HTTP/1.1\r\nHost: a\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 403", await ExchangeAsync(h.Port, $"CONNECT 127.0.0.2:{Content.HttpsPort} HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    [Fact]
    public async Task PolicyUpdatesApplyToTheNextRequest()
    {
        await using var h = ProxyHarness.Start();
        var url = $"{Content.Http}/hello";
        Assert.StartsWith("HTTP/1.1 200", await ExchangeAsync(h.Port, $"GET {url} HTTP/1.1\r\nHost: a\r\n\r\n"));

        h.Policy.Update(UrlPolicy.Create(new UrlPolicyOptions { BlockList = ["127.0.0.2/hello"] }));
        var blocked = await ExchangeAsync(h.Port, $"GET {url} HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 403", blocked);
        Assert.Contains("127.0.0.2/hello", blocked);
        Assert.StartsWith("HTTP/1.1 200", await ExchangeAsync(h.Port, $"GET {Content.Http}/ok HTTP/1.1\r\nHost: a\r\n\r\n"));
        // A path rule cannot judge a tunnel; a host rule can.
        Assert.StartsWith("HTTP/1.1 200", await ExchangeAsync(h.Port, $"CONNECT 127.0.0.2:{Content.HttpsPort} HTTP/1.1\r\nHost: a\r\n\r\n"));
        h.Policy.Update(UrlPolicy.Create(new UrlPolicyOptions { BlockList = ["127.0.0.2"] }));
        Assert.StartsWith("HTTP/1.1 403", await ExchangeAsync(h.Port, $"CONNECT 127.0.0.2:{Content.HttpsPort} HTTP/1.1\r\nHost: a\r\n\r\n"));

        h.Policy.Update(UrlPolicy.Default);
        Assert.StartsWith("HTTP/1.1 200", await ExchangeAsync(h.Port, $"GET {url} HTTP/1.1\r\nHost: a\r\n\r\n"));
        Assert.Contains(h.Refusals, r => r.Category == "policy");
    }

    [Fact]
    public async Task AKeepAliveConnectionCannotSmuggleASecondRequest()
    {
        await using var h = ProxyHarness.Start();
        using var raw = await RawHttp.ConnectAsync(h.Port);
        await raw.SendAsync(
            $"GET {Content.Http}/hello HTTP/1.1\r\nHost: a\r\nProxy-Connection: keep-alive\r\n\r\n" +
            $"GET http://127.0.0.3:{Canary.Port}/ HTTP/1.1\r\nHost: b\r\n\r\n");
        var response = await raw.ReadToEndAsync();
        Assert.Contains("hello from content", response);
        Assert.DoesNotContain("canary", response);
        Assert.True(Canary.Hits == 0, Canary.Describe());
    }

    [Fact]
    public async Task RequestBodiesAreRelayedByTheirFraming()
    {
        await using var h = ProxyHarness.Start();
        var sized = await ExchangeAsync(h.Port, $"POST {Content.Http}/echo HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
        Assert.Contains("echo:hello", sized);
        var chunked = await ExchangeAsync(h.Port,
            $"POST {Content.Http}/echo HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n4\r\ndefg\r\n0\r\nX-Trailer: t\r\n\r\n");
        Assert.Contains("echo:abcdefg", chunked);
    }

    [Theory]
    [InlineData("garbage\r\n\r\n", "400")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", "400")]
    [InlineData("GET ftp://127.0.0.2/ HTTP/1.1\r\nHost: a\r\n\r\n", "400")]
    [InlineData("GET http://user:pw@127.0.0.2/ HTTP/1.1\r\nHost: a\r\n\r\n", "400")]
    [InlineData("GET http://127.0.0.2/ HTTP/2.0\r\nHost: a\r\n\r\n", "505")]
    [InlineData("GET http://127.0.0.2/ HTTP/1.1\r\nHost a\r\n\r\n", "400")]
    [InlineData("GET http://127.0.0.2/ HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", "400")]
    [InlineData("GET http://127.0.0.2/ HTTP/1.1\nHost: a\n\n", "408")]
    [InlineData("GET http://127.0.0.2/ HTTP/1.1\r\nX: a\rb\r\n\r\n", "400")]
    [InlineData("POST http://127.0.0.2/ HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "400")]
    [InlineData("POST http://127.0.0.2/ HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "400")]
    [InlineData("POST http://127.0.0.2/ HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "400")]
    [InlineData("POST http://127.0.0.2/ HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "400")]
    [InlineData("CONNECT 127.0.0.2 HTTP/1.1\r\n\r\n", "400")]
    [InlineData("CONNECT [::1 HTTP/1.1\r\n\r\n", "400")]
    [InlineData("CONNECT 999.1.1.1:443 HTTP/1.1\r\n\r\n", "403")]
    [InlineData("GET http://%zz/ HTTP/1.1\r\n\r\n", "400")]
    public async Task MalformedRequestsGetAnErrorAndTheProxyLivesOn(string request, string status)
    {
        await using var h = ProxyHarness.Start(o => o.HeaderTimeout = TimeSpan.FromSeconds(2));
        var response = await ExchangeAsync(h.Port, request);
        Assert.True(response.StartsWith($"HTTP/1.1 {status}", StringComparison.Ordinal), response);
        Assert.StartsWith("HTTP/1.1 200", await ExchangeAsync(h.Port, $"GET {Content.Http}/ok HTTP/1.1\r\nHost: a\r\n\r\n"));
        Assert.True(Canary.Hits == 0, Canary.Describe());
    }

    [Fact]
    public async Task HugeHeadsAreRefusedWith431()
    {
        await using var h = ProxyHarness.Start(o => o.MaxHeaderBytes = 8 * 1024);
        var big = $"GET {Content.Http}/ok HTTP/1.1\r\nHost: a\r\nX-Big: {new string('a', 20_000)}\r\n\r\n";
        Assert.StartsWith("HTTP/1.1 431", await ExchangeAsync(h.Port, big));
        var many = $"GET {Content.Http}/ok HTTP/1.1\r\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"X-{i}: 1\r\n")) + "\r\n";
        Assert.StartsWith("HTTP/1.1 431", await ExchangeAsync(h.Port, many));
    }

    [Fact]
    public async Task ASlowHeadIsCutOffAfterTheHeaderTimeout()
    {
        await using var h = ProxyHarness.Start(o => o.HeaderTimeout = TimeSpan.FromSeconds(1));
        using var raw = await RawHttp.ConnectAsync(h.Port);
        await raw.SendAsync($"GET {Content.Http}/ok HTTP/1.1\r\n");
        var read = raw.ReadToEndAsync(TimeSpan.FromSeconds(8));
        for (var i = 0; i < 3 && !read.IsCompleted; i++)
        {
            await Task.Delay(400);
            try
            {
                await raw.SendAsync($"X-{i}: a\r\n");
            }
            catch (SocketException)
            {
                break;
            }
        }
        var response = await read;
        Assert.StartsWith("HTTP/1.1 408", response);
        Assert.DoesNotContain("<<timeout>>", response);
    }

    [Fact]
    public async Task IdleTunnelsAreClosed()
    {
        await using var h = ProxyHarness.Start(o => o.IdleTimeout = TimeSpan.FromMilliseconds(600));
        using var raw = await RawHttp.ConnectAsync(h.Port);
        await raw.SendAsync($"CONNECT 127.0.0.2:{Content.HttpPort} HTTP/1.1\r\n\r\n");
        var started = DateTime.UtcNow;
        var all = await raw.ReadToEndAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("HTTP/1.1 200", all);
        Assert.DoesNotContain("<<timeout>>", all);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5));
        Assert.Equal(0, await WaitForAsync(() => h.Proxy.ActiveConnections == 0 ? 0 : 1));
    }

    [Fact]
    public async Task ConnectionsBeyondTheLimitGet503()
    {
        await using var h = ProxyHarness.Start(o => o.MaxConnections = 2);
        using var a = await RawHttp.ConnectAsync(h.Port);
        using var b = await RawHttp.ConnectAsync(h.Port);
        await a.SendAsync("GET ");
        await b.SendAsync("GET ");
        Assert.Equal(0, await WaitForAsync(() => h.Proxy.ActiveConnections == 2 ? 0 : 1));
        Assert.StartsWith("HTTP/1.1 503", await ExchangeAsync(h.Port, $"GET {Content.Http}/ok HTTP/1.1\r\n\r\n"));
        a.Dispose();
        b.Dispose();
        Assert.Equal(0, await WaitForAsync(() => h.Proxy.ActiveConnections == 0 ? 0 : 1));
        Assert.StartsWith("HTTP/1.1 200", await ExchangeAsync(h.Port, $"GET {Content.Http}/ok HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    [Fact]
    public async Task WebSocketUpgradeThroughPlainHttpWorks()
    {
        await using var h = ProxyHarness.Start();
        using var raw = await RawHttp.ConnectAsync(h.Port);
        await raw.SendAsync($"GET {Content.Http}/ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
                            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        var head = await raw.ReadUntilAsync("\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 101", head);
        // One masked text frame "hi", expect it echoed unmasked.
        await raw.SendAsync([0x81, 0x82, 1, 2, 3, 4, (byte)('h' ^ 1), (byte)('i' ^ 2)]);
        var echoed = await raw.ReadUntilAsync("hi");
        Assert.EndsWith("hi", echoed);
    }

    [Fact]
    public async Task TheProxyRefusesToConnectToItself()
    {
        await using var h = ProxyHarness.Start(o =>
        {
            o.AllowCidrs = ["127.0.0.0/8"];
            o.DenyLocalInterfaces = false;
        });
        var response = await ExchangeAsync(h.Port, $"GET http://127.0.0.1:{h.Port}/ HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 403", response);
        Assert.Contains(h.Refusals, r => r.Category == "proxy_loop");
    }

    [Fact]
    public async Task UnresolvableNamesAre502NotRefusals()
    {
        await using var h = ProxyHarness.Start();
        h.Resolver.Names["nowhere.test"] = () => [];
        var response = await ExchangeAsync(h.Port, "GET http://nowhere.test/ HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 502", response);
        Assert.Empty(h.Refusals);
    }

    [Fact]
    public async Task RefusalsAreCountedOnTheBrowserIsolationMeter()
    {
        var counted = new List<(long Value, string? Reason, string? Kind)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EgressMetrics.MeterName && instrument.Name == EgressMetrics.RefusedName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? reason = null, kind = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "reason") reason = tag.Value as string;
                if (tag.Key == "kind") kind = tag.Value as string;
            }
            lock (counted)
            {
                counted.Add((value, reason, kind));
            }
        });
        listener.Start();

        await using var h = ProxyHarness.Start();
        await ExchangeAsync(h.Port, $"GET http://169.254.169.254/ HTTP/1.1\r\nHost: a\r\n\r\n");
        await ExchangeAsync(h.Port, $"CONNECT 127.0.0.3:{Canary.Port} HTTP/1.1\r\n\r\n");
        lock (counted)
        {
            Assert.Contains(counted, c => c is (1, "link_local", "http"));
            Assert.Contains(counted, c => c is (1, "loopback", "connect"));
        }
        Assert.Equal(2, h.Proxy.RefusedCount);
    }

    [Fact]
    public async Task DisposeClosesTheListenerAndOpenTunnels()
    {
        var h = ProxyHarness.Start();
        var port = h.Port;
        using var raw = await RawHttp.ConnectAsync(port);
        await raw.SendAsync($"CONNECT 127.0.0.2:{Content.HttpPort} HTTP/1.1\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", await raw.ReadUntilAsync("\r\n\r\n"));
        var disposing = h.DisposeAsync().AsTask();
        Assert.True(await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromSeconds(8))) == disposing, "dispose hung");
        var rest = await raw.ReadToEndAsync(TimeSpan.FromSeconds(3));
        Assert.DoesNotContain("<<timeout>>", rest);
        await Assert.ThrowsAsync<SocketException>(async () => await RawHttp.ConnectAsync(port));
    }

    private static async Task<int> WaitForAsync(Func<int> probe)
    {
        for (var i = 0; i < 100; i++)
        {
            if (probe() == 0)
            {
                return 0;
            }
            await Task.Delay(50);
        }
        return probe();
    }
}
