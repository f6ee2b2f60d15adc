namespace BrowserIsolation.AudioBench;

/// <summary>
/// The measuring viewer, injected into a page on the orchestrator's origin: video and audio over WebRTC in one stream
/// (so Chromium lip-syncs them), the flash seen at the video's frame callbacks, the beep heard by a 256-sample processor.
/// </summary>
internal static class ListenerScript
{
    public const string Source = """
        window.listen = (() => {
          let pc, video, ctx, flashes = [], beeps = [], lit = false, loud = false;
          async function open(id) {
            pc = new RTCPeerConnection();
            for (const kind of ['video', 'audio']) {
              const t = pc.addTransceiver(kind, { direction: 'recvonly' });
              if ('jitterBufferTarget' in t.receiver) t.receiver.jitterBufferTarget = 0;
            }
            ctx = new AudioContext({ sampleRate: 48000 }); await ctx.resume();
            video = document.createElement('video'); video.muted = true; video.autoplay = true; document.body.appendChild(video);
            const c = document.createElement('canvas'); c.width = c.height = 1; const g = c.getContext('2d', { willReadFrequently: true });
            pc.ontrack = e => {
              const stream = e.streams[0];
              if (e.track.kind === 'video') {
                video.srcObject = stream;
                const tick = () => video.requestVideoFrameCallback((now) => {
                  g.drawImage(video, video.videoWidth / 2, video.videoHeight / 2, 1, 1, 0, 0, 1, 1);
                  const v = g.getImageData(0, 0, 1, 1).data[0];
                  if (v > 128 && !lit) flashes.push(now);
                  lit = v > 128; tick();
                });
                tick();
              } else {
                const a = new Audio(); a.srcObject = new MediaStream([e.track]); a.muted = true; a.play().catch(() => {});
                const p = ctx.createScriptProcessor(256, 2, 2);
                p.onaudioprocess = ev => {
                  const x = ev.inputBuffer.getChannelData(0); let s = 0; for (const v of x) s += v * v;
                  const rms = Math.sqrt(s / x.length);
                  if (rms > 0.05 && !loud) beeps.push(performance.now());
                  loud = rms > 0.02 && (loud || rms > 0.05);
                };
                ctx.createMediaStreamSource(new MediaStream([e.track])).connect(p); p.connect(ctx.destination);
              }
            };
            await pc.setLocalDescription(await pc.createOffer());
            await new Promise(r => { pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 1000); });
            const answer = await fetch(`/api/sessions/${id}/offer`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
            await pc.setRemoteDescription({ type: 'answer', sdp: await answer.text() });
            await new Promise(r => { const w = () => pc.connectionState === 'connected' ? r() : setTimeout(w, 50); w(); });
          }
          async function audioStats() {
            let out = null;
            (await pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'audio') out = { bytes: s.bytesReceived, header: s.headerBytesReceived, packets: s.packetsReceived, t: performance.now() }; });
            return out;
          }
          const marks = () => ({ flashes, beeps });
          function close() { pc?.close(); video?.remove(); ctx?.close(); flashes = []; beeps = []; }
          return { open, audioStats, marks, close };
        })();
        """;
}
