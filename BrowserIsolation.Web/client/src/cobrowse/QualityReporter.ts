import type { StreamController } from '../media/StreamController';
import type { ControlSocket } from '../net/ControlSocket';

/** kbit/s from a byte count over a period. */
export function kbps(bytes: number, ms: number): number {
  return ms > 0 ? Math.round((bytes * 8) / ms) : 0;
}

/**
 * Tells the session how this participant's picture arrives, every couple of seconds: transport, frames drawn per
 * second, kbit/s and the round trip of the control socket (a ping), or of WebRTC's ICE pair while video is live.
 * Everyone's reports come back as `quality` events for the participants panel.
 */
export class QualityReporter {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly offs: (() => void)[] = [];
  private jpegBytes = 0;
  private lastTick = performance.now();
  private lastVideoBytes: number | null = null;
  private pingSentAt: number | null = null;
  private rttMs: number | undefined;

  constructor(
    private readonly socket: ControlSocket,
    private readonly stream: StreamController,
    private readonly intervalMs = 2000,
  ) {}

  start(): void {
    this.offs.push(this.socket.onFrame.on((frame) => (this.jpegBytes += frame.byteLength)));
    this.offs.push(
      this.socket.onEvent.on((event) => {
        if (event.type === 'pong' && this.pingSentAt !== null) {
          this.rttMs = Math.round(performance.now() - this.pingSentAt);
          this.pingSentAt = null;
        }
      }),
    );
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    for (const off of this.offs.splice(0)) off();
  }

  private async tick(): Promise<void> {
    const now = performance.now();
    const elapsed = now - this.lastTick;
    this.lastTick = now;
    const state = this.stream.state;
    let rate = kbps(this.jpegBytes, elapsed);
    this.jpegBytes = 0;
    let rtt = this.rttMs;
    const video = await this.stream.videoStats().catch(() => null);
    if (video) {
      rate = this.lastVideoBytes === null ? 0 : kbps(Math.max(0, video.bytesReceived - this.lastVideoBytes), elapsed);
      this.lastVideoBytes = video.bytesReceived;
      rtt = video.rttMs !== undefined ? Math.round(video.rttMs) : rtt;
    } else {
      this.lastVideoBytes = null;
    }
    if (this.socket.state !== 'open') return;
    this.socket.send({ type: 'stats', transport: state.active, fps: state.fps, kbps: rate, rttMs: rtt });
    this.pingSentAt = performance.now();
    this.socket.send({ type: 'ping' });
  }
}
