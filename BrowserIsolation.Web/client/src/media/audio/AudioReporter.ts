import type { AudioMessage } from '../../protocol/audio';

export interface ReporterTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const browserTimers: ReporterTimers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Tells the server whether this viewer hears (`hearing`) and wants Opus frames on the socket (`frames`): on every
 * change of either, and after every (re)connect (a new connection starts at false/false). The message counts toward
 * the socket's rate limit, so changes are coalesced: at most one message per `minIntervalMs`, carrying the latest
 * values, and none when they end up where they were.
 */
export class AudioReporter {
  private wanted = { hearing: false, frames: false };
  /** What this connection was last told; null: nothing yet (a new connection). */
  private sent: { hearing: boolean; frames: boolean } | null = null;
  private sentAt = -Infinity;
  private timer: unknown = null;

  constructor(
    private readonly send: (message: AudioMessage) => boolean,
    private readonly minIntervalMs = 250,
    private readonly timers: ReporterTimers = browserTimers,
  ) {}

  set(hearing: boolean, frames: boolean): void {
    this.wanted = { hearing, frames };
    this.flush();
  }

  /** The socket (re)opened: this connection knows nothing yet, so it is told at once. */
  connected(): void {
    this.cancel();
    this.sent = null;
    this.sentAt = -Infinity;
    this.flush();
  }

  dispose(): void {
    this.cancel();
  }

  private flush(): void {
    if (this.timer !== null) return; // the scheduled send takes the latest values
    const { hearing, frames } = this.wanted;
    if (this.sent && this.sent.hearing === hearing && this.sent.frames === frames) return;
    const wait = this.sentAt + this.minIntervalMs - this.timers.now();
    if (wait > 0) {
      this.timer = this.timers.setTimeout(() => {
        this.timer = null;
        this.flush();
      }, wait);
      return;
    }
    // A closed socket refuses: the next connect tells the server anyway.
    if (this.send({ type: 'audio', hearing, frames })) {
      this.sent = { hearing, frames };
      this.sentAt = this.timers.now();
    }
  }

  private cancel(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
