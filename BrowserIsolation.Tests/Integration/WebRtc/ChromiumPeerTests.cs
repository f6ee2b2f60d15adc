using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using BrowserIsolation.Runner.WebRtc;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.WebRtc;

/// <summary>Real Chromium 156 as the WebRTC peer of our ICE-lite + DTLS + SRTP stack on loopback.</summary>
[Trait("Category", "WebRtc")]
[Trait("Category", "Chromium")]
public class ChromiumPeerTests(ITestOutputHelper output)
{
    /// <summary>Negotiates a recvonly video transceiver against /webrtc/offer and waits for the connection state.</summary>
    internal const string NegotiateScript = """
        async (timeoutMs) => {
          const pc = new RTCPeerConnection();
          window.pc = pc;
          pc.addTransceiver('video', { direction: 'recvonly' });
          const offer = await pc.createOffer();
          await pc.setLocalDescription(offer);
          const response = await fetch('/webrtc/offer', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer.sdp });
          if (!response.ok) return { state: 'http-' + response.status, detail: await response.text() };
          window.peerUrl = response.headers.get('Location');
          const answer = await response.text();
          const started = performance.now();
          await pc.setRemoteDescription({ type: 'answer', sdp: answer });
          const state = await new Promise(resolve => {
            const check = () => { if (['connected', 'failed', 'closed'].includes(pc.connectionState)) resolve(pc.connectionState); };
            pc.onconnectionstatechange = check;
            check();
            setTimeout(() => resolve('timeout(' + pc.connectionState + '/' + pc.iceConnectionState + ')'), timeoutMs);
          });
          const connectMs = performance.now() - started;
          let transport = {};
          (await pc.getStats()).forEach(s => { if (s.type === 'transport') transport = s; });
          return { state, connectMs, dtlsCipher: transport.dtlsCipher || '', srtpCipher: transport.srtpCipher || '',
                   tlsVersion: transport.tlsVersion || '', dtlsRole: transport.dtlsRole || '' };
        }
        """;

    internal sealed record NegotiationResult(string State, double ConnectMs, string DtlsCipher, string SrtpCipher, string TlsVersion, string DtlsRole, string? Detail);

    internal static async Task<NegotiationResult> NegotiateAsync(IPage page, int timeoutMs = 10000)
    {
        var json = await page.EvaluateAsync<JsonElement>(NegotiateScript, timeoutMs);
        return json.Deserialize<NegotiationResult>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    [Fact]
    public async Task ChromiumConnectsOverIceLiteDtlsAndSrtp()
    {
        await using var host = await WebRtcTestHost.StartAsync();
        await using var chromium = await TestChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        await page.GotoAsync(host.BaseUrl);

        var result = await NegotiateAsync(page);
        Assert.True(result.State == "connected", $"connection state {result.State} {result.Detail}");
        var peer = Assert.Single(host.Service.Peers);
        Assert.True(await WaitForAsync(() => peer.State == WebRtcPeerState.Connected, TimeSpan.FromSeconds(5)));
        Assert.Equal(DtlsRole.Server, peer.Dtls.Role);
        Assert.Equal(SrtpProfile.AeadAes128Gcm, peer.Dtls.Profile);
        Assert.Equal("SRTP_AEAD_AES_128_GCM", result.SrtpCipher);
        Assert.Equal("client", result.DtlsRole);
        // Chromium (controlling, regular nomination) may still be nominating when it reports "connected".
        Assert.True(await WaitForAsync(() => peer.Ice.IsNominated, TimeSpan.FromSeconds(5)), "Chromium never sent USE-CANDIDATE");
        output.WriteLine($"setRemoteDescription -> connected: {result.ConnectMs:F1} ms; DTLS {peer.Dtls.HandshakeDuration?.TotalMilliseconds:F1} ms, " +
            $"{peer.Dtls.HandshakeFlightsSent} server flights, {peer.Dtls.DatagramsReceived} datagrams in, {peer.Dtls.DatagramsSent} out, " +
            $"{peer.Dtls.Retransmissions} retransmissions; {result.TlsVersion} {result.DtlsCipher}; remote {peer.RemoteEndPoint}; checks {peer.Ice.ValidChecks}");

        // The browser's RTCP arrives, authenticated and decrypted (receiver reports start within a second or so).
        Assert.True(await WaitForAsync(() => peer.RtcpPacketsReceived > 0, TimeSpan.FromSeconds(5)), "no SRTCP from Chromium");

        // Closing the RTCPeerConnection sends close_notify: the runner drops the peer at once.
        await page.EvaluateAsync("() => window.pc.close()");
        Assert.True(await WaitForAsync(() => host.Service.Peers.Count == 0, TimeSpan.FromSeconds(5)), "peer still registered after pc.close()");
        Assert.Equal(WebRtcPeerState.Closed, peer.State);
        Assert.Contains("closed DTLS", peer.CloseReason);
    }

    [Fact]
    public async Task AsDtlsClientWeConnectToo()
    {
        // Chromium only ever offers actpass, so the client role is reached by answering active.
        await using var host = await WebRtcTestHost.StartAsync(new() { ["Media:PreferDtlsClient"] = "true" });
        await using var chromium = await TestChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        await page.GotoAsync(host.BaseUrl);
        var result = await NegotiateAsync(page);
        Assert.True(result.State == "connected", $"connection state {result.State} {result.Detail}");
        var peer = Assert.Single(host.Service.Peers);
        Assert.Equal(DtlsRole.Client, peer.Dtls.Role);
        Assert.Equal("server", result.DtlsRole);
        Assert.True(await WaitForAsync(() => peer.State == WebRtcPeerState.Connected, TimeSpan.FromSeconds(5)));
        output.WriteLine($"as DTLS client: connected {result.ConnectMs:F1} ms, DTLS {peer.Dtls.HandshakeDuration?.TotalMilliseconds:F1} ms, {peer.Dtls.HandshakeFlightsSent} flights");
    }

    [Fact]
    public async Task ManyPeersShareTheOnePort()
    {
        await using var host = await WebRtcTestHost.StartAsync();
        await using var chromium = await TestChromium.LaunchAsync();
        var pages = new List<IPage>();
        for (var i = 0; i < 3; i++)
        {
            var page = await chromium.Browser.NewPageAsync();
            await page.GotoAsync(host.BaseUrl);
            pages.Add(page);
        }
        var results = await Task.WhenAll(pages.Select(p => NegotiateAsync(p)));
        Assert.All(results, r => Assert.Equal("connected", r.State));
        Assert.Equal(3, host.Service.Peers.Count);
        Assert.Single(host.Service.Peers.Select(p => p.Answer.Sdp.Split("typ host")[0].Split(' ')[^2]).Distinct()); // one port
        Assert.Equal(3, host.Service.Peers.Select(p => p.RemoteEndPoint).Distinct().Count());
        output.WriteLine("connect ms: " + string.Join(", ", results.Select(r => r.ConnectMs.ToString("F1"))));
    }

    [Fact]
    public async Task VanishedBrowserLosesConsent()
    {
        await using var host = await WebRtcTestHost.StartAsync(new() { ["Media:ConsentTimeoutSeconds"] = "2" });
        await using var chromium = await TestChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        await page.GotoAsync(host.BaseUrl);
        Assert.Equal("connected", (await NegotiateAsync(page)).State);
        var peer = Assert.Single(host.Service.Peers);

        // The browser dies without a close_notify: the checks stop and consent runs out.
        chromium.KillBrowserProcesses();
        var watch = Stopwatch.StartNew();
        Assert.True(await WaitForAsync(() => host.Service.Peers.Count == 0, TimeSpan.FromSeconds(10)), "peer survived its browser");
        output.WriteLine($"peer removed {watch.Elapsed.TotalSeconds:F1} s after Chromium was killed: {peer.CloseReason}");
        Assert.Contains("consent", peer.CloseReason);
    }

    [Fact]
    public async Task UnusableTransportSettingsAreA503ProblemNotACrash()
    {
        await using var host = await WebRtcTestHost.StartAsync(new() { ["Media:UdpBindAddress"] = "not-an-address" });
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        var offer = Unit.WebRtc.Vectors.ReadSdp("chromium156-recvonly-video.sdp");
        using var response = await http.PostAsync("/webrtc/offer", new StringContent(offer, System.Text.Encoding.UTF8, "application/sdp"));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task MalformedOfferIsA400Problem()
    {
        await using var host = await WebRtcTestHost.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        foreach (var (body, type) in new[] { ("garbage", "application/sdp"), ("{\"sdp\":42}", "application/json"), ("{not json", "application/json"), ("", "text/plain") })
        {
            using var response = await http.PostAsync("/webrtc/offer", new StringContent(body, System.Text.Encoding.UTF8, type));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(400, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        }
        var offer = Unit.WebRtc.Vectors.ReadSdp("chromium156-recvonly-video.sdp");
        using var json = await http.PostAsync("/webrtc/offer", new StringContent(JsonSerializer.Serialize(new { type = "offer", sdp = offer }), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("application/sdp", json.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("v=0", await json.Content.ReadAsStringAsync());
        var location = json.Headers.Location!.ToString();
        Assert.Equal(1, (await http.GetFromJsonAsync<JsonElement>("/webrtc/stats")).GetProperty("peers").GetArrayLength());
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await http.DeleteAsync(location)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.DeleteAsync(location)).StatusCode);
    }
}
