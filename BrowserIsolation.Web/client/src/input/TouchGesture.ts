/** What a finger did, in client pixels: a tap (a press and release in place) or a scroll by a drag. */
export type TouchAction =
  | { kind: 'tap'; clientX: number; clientY: number; button: 'left' | 'right' }
  | { kind: 'scroll'; clientX: number; clientY: number; dx: number; dy: number };

export const tapSlopPx = 10;
export const longPressMs = 550;

/**
 * Touch works like on a phone: a tap clicks, a long press right-clicks, a drag scrolls the page under the finger
 * (content follows the finger, so dragging up scrolls down). Pure: the caller feeds pointer positions and times.
 */
export class TouchGesture {
  private start: { x: number; y: number; t: number } | null = null;
  private last = { x: 0, y: 0 };
  private scrolling = false;

  get active(): boolean {
    return this.start !== null;
  }

  down(x: number, y: number, t: number): void {
    this.start = { x, y, t };
    this.last = { x, y };
    this.scrolling = false;
  }

  move(x: number, y: number): TouchAction | null {
    const start = this.start;
    if (!start) return null;
    if (!this.scrolling && Math.hypot(x - start.x, y - start.y) <= tapSlopPx) return null;
    this.scrolling = true;
    const action: TouchAction = { kind: 'scroll', clientX: start.x, clientY: start.y, dx: this.last.x - x, dy: this.last.y - y };
    this.last = { x, y };
    return action.dx === 0 && action.dy === 0 ? null : action;
  }

  up(t: number): TouchAction | null {
    const start = this.start;
    this.start = null;
    if (!start || this.scrolling) return null;
    return { kind: 'tap', clientX: start.x, clientY: start.y, button: t - start.t >= longPressMs ? 'right' : 'left' };
  }

  cancel(): void {
    this.start = null;
    this.scrolling = false;
  }
}
