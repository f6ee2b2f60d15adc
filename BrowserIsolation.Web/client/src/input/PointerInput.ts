import type { InputSink, MouseButton } from '../protocol/input';
import type { ViewportPoint } from './coordinates';
import { modifierMask } from './keyboard';

/** Maps a client point to the remote viewport, or null while there is no picture to aim at. */
export type PointMapper = (clientX: number, clientY: number) => ViewportPoint | null;

const buttonNames: Record<number, MouseButton> = { 0: 'left', 1: 'middle', 2: 'right' };
// PointerEvent.buttons bits for button indexes 0 (left), 1 (middle), 2 (right).
const buttonBits: Record<number, number> = { 0: 1, 1: 4, 2: 2 };

const doubleClickMs = 500;
const doubleClickSlopPx = 5;

/**
 * Mouse, pen and touch on the remote view, sent as mousemove/mousedown/mouseup/scroll.
 * Moves and wheel deltas are coalesced to one message per animation frame; presses are sent
 * at once (after any pending move, so the order is kept). Presses in the letterbox are ignored.
 */
export class PointerInput {
  private readonly pressed = new Set<number>();
  private last: ViewportPoint = { x: 0, y: 0, inside: false };
  private lastModifiers = 0;
  private pendingMove = false;
  private pendingScroll: { x: number; y: number; dx: number; dy: number } | null = null;
  private frame: number | undefined;
  private lastDown = { time: 0, clientX: 0, clientY: 0, button: -1, count: 0 };
  private readonly listeners: [string, EventListener, AddEventListenerOptions?][];

  constructor(
    private readonly surface: HTMLElement,
    private readonly map: PointMapper,
    private readonly send: InputSink,
    /** Called on every press inside the picture, with the client point (keyboard focus, IME position). */
    private readonly onPress: (clientX: number, clientY: number) => void,
    /** Viewport height for page-based wheel deltas. */
    private readonly viewportHeight: () => number,
  ) {
    this.listeners = [
      ['pointerdown', this.onPointerDown as EventListener],
      ['pointermove', this.onPointerMove as EventListener],
      ['pointerup', this.onPointerUp as EventListener],
      ['pointercancel', this.releaseAll as EventListener],
      ['lostpointercapture', this.releaseAll as EventListener],
      ['wheel', this.onWheel as EventListener, { passive: false }],
      // No local context menu, middle-click autoscroll, text selection or link opening over the view.
      ['contextmenu', prevent],
      ['mousedown', prevent],
      ['auxclick', prevent],
      ['dragstart', prevent],
    ];
  }

  attach(): void {
    for (const [type, listener, options] of this.listeners) this.surface.addEventListener(type, listener, options);
  }

  detach(): void {
    for (const [type, listener, options] of this.listeners) this.surface.removeEventListener(type, listener, options);
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.releaseAll();
  }

  private readonly onPointerDown = (e: PointerEvent) => {
    if (!e.isPrimary || buttonNames[e.button] === undefined) return;
    e.preventDefault();
    const point = this.map(e.clientX, e.clientY);
    if (!point?.inside) return;
    this.surface.setPointerCapture(e.pointerId);
    this.onPress(e.clientX, e.clientY);
    this.press(e, point);
  };

  private readonly onPointerMove = (e: PointerEvent) => {
    if (!e.isPrimary) return;
    // A second button pressed or released while another is held comes as a move (chorded buttons).
    if (e.button >= 0 && buttonNames[e.button] !== undefined) {
      const point = this.map(e.clientX, e.clientY);
      if (!point) return;
      const down = (e.buttons & buttonBits[e.button]) !== 0;
      if (down && !this.pressed.has(e.button)) this.press(e, point);
      else if (!down && this.pressed.has(e.button)) this.release(e.button, point, modifierMask(e));
      return;
    }
    const point = this.map(e.clientX, e.clientY);
    if (!point || (!point.inside && this.pressed.size === 0)) return;
    this.last = point;
    this.lastModifiers = modifierMask(e);
    this.pendingMove = true;
    this.schedule();
  };

  private readonly onPointerUp = (e: PointerEvent) => {
    if (!e.isPrimary || !this.pressed.has(e.button)) return;
    e.preventDefault();
    const point = this.map(e.clientX, e.clientY) ?? this.last;
    this.release(e.button, point, modifierMask(e));
    if (this.pressed.size === 0 && this.surface.hasPointerCapture(e.pointerId)) this.surface.releasePointerCapture(e.pointerId);
  };

  private readonly onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const point = this.map(e.clientX, e.clientY);
    if (!point?.inside) return;
    const unit = e.deltaMode === WheelEvent.DOM_DELTA_LINE ? 40 : e.deltaMode === WheelEvent.DOM_DELTA_PAGE ? this.viewportHeight() : 1;
    const pending = this.pendingScroll ?? { x: 0, y: 0, dx: 0, dy: 0 };
    this.pendingScroll = { x: point.x, y: point.y, dx: pending.dx + e.deltaX * unit, dy: pending.dy + e.deltaY * unit };
    this.schedule();
  };

  /** Lets go of every held button (capture lost, pointer cancelled, detach): no stuck drags remotely. */
  private readonly releaseAll = () => {
    for (const button of [...this.pressed]) this.release(button, this.last, this.lastModifiers);
  };

  private press(e: PointerEvent, point: ViewportPoint): void {
    this.flush();
    const clickCount = this.countClick(e);
    this.pressed.add(e.button);
    this.last = point;
    this.lastModifiers = modifierMask(e);
    this.send({ type: 'mousedown', x: point.x, y: point.y, button: buttonNames[e.button], clickCount, modifiers: this.lastModifiers });
  }

  private release(button: number, point: ViewportPoint, modifiers: number): void {
    this.flush();
    this.pressed.delete(button);
    this.last = point;
    const clickCount = this.lastDown.button === button ? this.lastDown.count : 1;
    this.send({ type: 'mouseup', x: point.x, y: point.y, button: buttonNames[button], clickCount, modifiers });
  }

  private countClick(e: PointerEvent): number {
    const prev = this.lastDown;
    const now = e.timeStamp;
    const near = Math.abs(e.clientX - prev.clientX) <= doubleClickSlopPx && Math.abs(e.clientY - prev.clientY) <= doubleClickSlopPx;
    const count = prev.button === e.button && now - prev.time <= doubleClickMs && near ? prev.count + 1 : 1;
    this.lastDown = { time: now, clientX: e.clientX, clientY: e.clientY, button: e.button, count };
    return count;
  }

  /** While a button is held, moves carry it (drags); the primary (lowest) button wins. */
  private heldButton(): MouseButton {
    for (const b of [0, 2, 1]) if (this.pressed.has(b)) return buttonNames[b];
    return 'none';
  }

  private schedule(): void {
    if (this.frame === undefined) this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.flush();
    });
  }

  private flush(): void {
    if (this.pendingMove) {
      this.pendingMove = false;
      this.send({ type: 'mousemove', x: this.last.x, y: this.last.y, button: this.heldButton(), modifiers: this.lastModifiers });
    }
    const scroll = this.pendingScroll;
    if (scroll) {
      this.pendingScroll = null;
      this.send({ type: 'scroll', x: scroll.x, y: scroll.y, deltaX: Math.round(scroll.dx), deltaY: Math.round(scroll.dy) });
    }
  }
}

function prevent(e: Event): void {
  e.preventDefault();
}
