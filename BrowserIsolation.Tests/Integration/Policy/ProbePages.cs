using System.Text.Json;

namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>Pages that try to reach the canary every way a page can, and record what happened in window.results.</summary>
internal static class ProbePages
{
    /// <summary>
    /// fetch, XHR, img, iframe, WebSocket, EventSource and sendBeacon to http(s)/ws(s) on every host spelling; then
    /// a fetch and WebSocket round trip to the allowed server, so a broken proxy cannot pass as a safe one.
    /// </summary>
    public static string Reach(IEnumerable<string> hosts, int canaryPort, string allowedHttp, string allowedWs, string allowedWss)
    {
        var hostList = JsonSerializer.Serialize(hosts.ToArray());
        return $$"""
            <!doctype html><html><head><title>probe</title></head><body>
            <script>
            const hosts = {{hostList}};
            const port = {{canaryPort}};
            window.results = [];
            window.done = false;
            const withTimeout = (p, ms) => Promise.race([p, new Promise(r => setTimeout(() => r('timeout'), ms))]);
            const record = (vector, url, outcome) => window.results.push({ vector, url, outcome: String(outcome) });

            function viaFetch(url) { return fetch(url, { mode: 'no-cors', cache: 'no-store' }).then(() => 'resolved', e => 'rejected'); }
            function viaXhr(url) {
              return new Promise(r => { const x = new XMLHttpRequest(); x.open('GET', url);
                x.onload = () => r('load ' + x.status); x.onerror = () => r('error'); x.send(); });
            }
            function viaImg(url) { return new Promise(r => { const i = new Image(); i.onload = () => r('load'); i.onerror = () => r('error'); i.src = url; }); }
            function viaIframe(url) {
              return new Promise(r => { const f = document.createElement('iframe'); f.onload = () => r('load'); f.src = url; document.body.appendChild(f); });
            }
            function viaWs(url) {
              return new Promise(r => { let w; try { w = new WebSocket(url); } catch (e) { r('throw ' + e.name); return; }
                w.onopen = () => { r('open'); w.close(); }; w.onerror = () => r('error'); w.onclose = () => r('close'); });
            }
            function viaEventSource(url) {
              return new Promise(r => { const s = new EventSource(url); s.onopen = () => { r('open'); s.close(); }; s.onerror = () => { r('error'); s.close(); }; });
            }
            function viaBeacon(url) { return Promise.resolve(navigator.sendBeacon(url, 'x') ? 'queued' : 'refused'); }

            async function run() {
              const probes = [];
              for (const h of hosts) {
                const http = `http://${h}:${port}`, https = `https://${h}:${port}`;
                const add = (vector, fn, url) => probes.push(withTimeout(fn(url), 6000).then(o => record(vector, url, o)));
                add('fetch', viaFetch, `${http}/fetch`);
                add('fetch-tls', viaFetch, `${https}/fetch-tls`);
                add('xhr', viaXhr, `${http}/xhr`);
                add('img', viaImg, `${http}/img`);
                add('img-tls', viaImg, `${https}/img-tls`);
                add('iframe', viaIframe, `${http}/iframe`);
                add('ws', viaWs, `ws://${h}:${port}/ws`);
                add('wss', viaWs, `wss://${h}:${port}/wss`);
                add('eventsource', viaEventSource, `${http}/sse`);
                add('beacon', viaBeacon, `${http}/beacon`);
              }
              await Promise.all(probes);
              const ok = await withTimeout(fetch('{{allowedHttp}}/ok').then(r => r.text(), e => 'fetch failed ' + e), 6000);
              record('allowed-fetch', '{{allowedHttp}}/ok', ok);
              for (const url of ['{{allowedWs}}', '{{allowedWss}}']) {
                const echo = await withTimeout(new Promise(r => { const w = new WebSocket(url);
                  w.onopen = () => w.send('ping'); w.onmessage = e => { r('echo ' + e.data); w.close(); }; w.onerror = () => r('error'); }), 6000);
                record('allowed-ws', url, echo);
              }
              window.done = true;
            }
            run();
            </script></body></html>
            """;
    }

    /// <summary>WebRTC (STUN and TURN over UDP and TCP) and WebTransport (QUIC) aimed at the canary.</summary>
    public static string Udp(int canaryPort) => $$"""
        <!doctype html><html><head><title>udp</title></head><body>
        <script>
        window.results = [];
        window.done = false;
        const port = {{canaryPort}};
        async function run() {
          const pc = new RTCPeerConnection({ iceServers: [
            { urls: `stun:127.0.0.3:${port}` },
            { urls: `turn:127.0.0.3:${port}?transport=udp`, username: 'u', credential: 'p' },
            { urls: `turn:127.0.0.3:${port}?transport=tcp`, username: 'u', credential: 'p' } ] });
          pc.createDataChannel('x');
          pc.onicecandidate = e => window.results.push(e.candidate ? e.candidate.candidate : 'end');
          await pc.setLocalDescription(await pc.createOffer());
          try {
            const wt = new WebTransport(`https://127.0.0.3:${port}/wt`);
            await Promise.race([wt.ready.then(() => 'ready'), new Promise(r => setTimeout(r, 3000))]);
            window.results.push('webtransport settled');
          } catch (e) { window.results.push('webtransport ' + e.name); }
          await new Promise(r => setTimeout(r, 3000));
          pc.close();
          window.done = true;
        }
        run();
        </script></body></html>
        """;

    /// <summary>Name lookups a page can cause without connecting: DNS prefetch, preconnect, a subresource.</summary>
    public static string Dns(string prefix) => $$"""
        <!doctype html><html><head><title>dns</title>
        <link rel="dns-prefetch" href="//{{prefix}}-prefetch.invalid">
        <link rel="preconnect" href="https://{{prefix}}-preconnect.invalid">
        </head><body>
        <img src="http://{{prefix}}-img.invalid/x.png">
        <a href="http://{{prefix}}-link.invalid/">link</a>
        </body></html>
        """;
}
