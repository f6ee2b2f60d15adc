namespace BrowserIsolation.StreamBench;

/// <summary>The measuring viewer, injected into a page on the orchestrator's origin.</summary>
internal static class ViewerScript
{
    public const string Source = """
        window.bench = (() => {
          let ws, pc, video, canvas, g, transport, frames = 0, bytes = 0, onShown = null, last = null;
          const center = (src, w, h) => { g.drawImage(src, w / 2, h / 2, 1, 1, 0, 0, 1, 1); const d = g.getImageData(0, 0, 1, 1).data; return d[0] + d[1] + d[2]; };
          async function open(id, t) {
            transport = t; frames = 0; bytes = 0;
            canvas = document.createElement('canvas'); canvas.width = canvas.height = 1; g = canvas.getContext('2d', { willReadFrequently: true });
            ws = new WebSocket(`ws://${location.host}/ws/sessions/${id}`); ws.binaryType = 'arraybuffer';
            await new Promise(r => ws.onopen = r);
            if (t === 'jpeg') {
              const view = document.createElement('canvas'); view.width = 1280; view.height = 720; document.body.appendChild(view);
              const vg = view.getContext('2d'); let busy = false;
              ws.onmessage = async e => {
                if (typeof e.data === 'string' || busy) return;
                busy = true; bytes += e.data.byteLength;
                const bmp = await createImageBitmap(new Blob([e.data], { type: 'image/jpeg' }));
                vg.drawImage(bmp, 0, 0); frames++;
                last = center(bmp, bmp.width, bmp.height); if (onShown) onShown(last);
                bmp.close(); busy = false;
              };
              await new Promise(r => { const w = () => frames > 0 ? r() : setTimeout(w, 50); w(); });
              return;
            }
            ws.send(JSON.stringify({ type: 'frames', enabled: false }));
            pc = new RTCPeerConnection();
            const tr = pc.addTransceiver('video', { direction: 'recvonly' });
            if ('jitterBufferTarget' in tr.receiver) tr.receiver.jitterBufferTarget = 0;
            video = document.createElement('video'); video.muted = true; video.autoplay = true; document.body.appendChild(video);
            pc.ontrack = e => { video.srcObject = new MediaStream([e.track]); };
            await pc.setLocalDescription(await pc.createOffer());
            await new Promise(r => { pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 1000); });
            const answer = await fetch(`/api/sessions/${id}/offer`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
            await pc.setRemoteDescription({ type: 'answer', sdp: await answer.text() });
            const tick = () => video.requestVideoFrameCallback(() => { last = center(video, video.videoWidth, video.videoHeight); if (onShown) onShown(last); tick(); });
            tick();
            await new Promise(r => { const w = () => video.videoWidth > 0 ? r() : setTimeout(w, 50); w(); });
          }
          async function counters() {
            if (transport === 'jpeg') return { frames, bytes, t: performance.now() };
            let f = 0, b = 0;
            (await pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'video') { f = s.framesDecoded; b = s.bytesReceived; } });
            return { frames: f, bytes: b, t: performance.now() };
          }
          async function clicks(n) {
            const out = [];
            for (let i = 0; i < n; i++) {
              await new Promise(r => setTimeout(r, 250));
              // The page is static between clicks: compare with the picture shown now, then press.
              const before = last;
              const t = await new Promise(resolve => {
                const t0 = performance.now();
                onShown = v => { if (Math.abs(v - before) > 300) { onShown = null; resolve(performance.now() - t0); } };
                ws.send(JSON.stringify({ type: 'mousedown', x: 640, y: 360, button: 'left' }));
                ws.send(JSON.stringify({ type: 'mouseup', x: 640, y: 360, button: 'left' }));
                setTimeout(() => { onShown = null; resolve(-1); }, 3000);
              });
              if (t >= 0) out.push(t);
            }
            return out;
          }
          function close() { ws?.close(); pc?.close(); video?.remove(); document.querySelectorAll('canvas').forEach(c => c.remove()); pc = null; video = null; }
          return { open, counters, clicks, close };
        })();
        """;
}
