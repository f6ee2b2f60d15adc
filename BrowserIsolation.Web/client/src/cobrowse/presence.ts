import { Emitter } from '../net/Emitter';
import type { ClickEvent, CursorEvent } from '../protocol/events';

export interface RemoteCursor { participantId: string; x: number; y: number; at: number }
export interface Ripple { id: number; participantId: string; x: number; y: number; at: number }

/** A cursor nobody moved for this long fades away (its owner may have walked off). */
export const cursorIdleMs = 10_000;
export const rippleMs = 700;

/**
 * Everyone else's pointers and clicks, in remote viewport pixels. Kept out of React state: cursors change up to
 * 30 times a second per participant, and only the overlay that draws them needs to know.
 */
export class Presence {
  readonly onChange = new Emitter<void>();
  private readonly cursorMap = new Map<string, RemoteCursor>();
  private rippleList: Ripple[] = [];
  private nextRipple = 1;

  constructor(private readonly now: () => number = () => performance.now()) {}

  get cursors(): RemoteCursor[] {
    return [...this.cursorMap.values()];
  }

  get ripples(): Ripple[] {
    return this.rippleList;
  }

  apply(event: CursorEvent | ClickEvent): void {
    const at = this.now();
    if (event.type === 'cursor') {
      if (event.hidden) this.cursorMap.delete(event.participantId);
      else this.cursorMap.set(event.participantId, { participantId: event.participantId, x: event.x, y: event.y, at });
    } else {
      this.rippleList = [...this.rippleList, { id: this.nextRipple++, participantId: event.participantId, x: event.x, y: event.y, at }];
    }
    this.onChange.emit();
  }

  /** Someone left: their cursor goes with them. */
  forget(participantId: string): void {
    if (this.cursorMap.delete(participantId)) this.onChange.emit();
  }

  /** Drops idle cursors and finished ripples; true when something went. */
  prune(): boolean {
    const now = this.now();
    let changed = false;
    for (const [id, cursor] of this.cursorMap) {
      if (now - cursor.at > cursorIdleMs) {
        this.cursorMap.delete(id);
        changed = true;
      }
    }
    const live = this.rippleList.filter((r) => now - r.at < rippleMs);
    if (live.length !== this.rippleList.length) {
      this.rippleList = live;
      changed = true;
    }
    if (changed) this.onChange.emit();
    return changed;
  }

  clear(): void {
    this.cursorMap.clear();
    this.rippleList = [];
    this.onChange.emit();
  }
}
