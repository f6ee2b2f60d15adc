import type { CoBrowseMessage } from '../protocol/cobrowse';

/**
 * For an owner while the session follows the owner's window: reports the size of the stage (the space the picture
 * has here), so the remote viewport matches it 1:1. Debounced, so a window drag resizes the remote browser once.
 */
export class ViewportReporter {
  private observer: ResizeObserver | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSent = '';

  constructor(
    private readonly element: HTMLElement,
    private readonly send: (message: CoBrowseMessage) => boolean,
    private readonly debounceMs = 300,
  ) {}

  /** Turns reporting on (it reports the current size at once) or off. */
  enable(on: boolean): void {
    if (on && !this.observer) {
      this.lastSent = '';
      this.observer = new ResizeObserver(() => this.schedule());
      this.observer.observe(this.element);
      this.schedule(0);
    } else if (!on && this.observer) {
      this.observer.disconnect();
      this.observer = null;
      clearTimeout(this.timer);
    }
  }

  private schedule(delay = this.debounceMs): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const box = this.element.getBoundingClientRect();
      const width = Math.floor(box.width);
      const height = Math.floor(box.height);
      const key = `${width}x${height}`;
      if (width > 0 && height > 0 && key !== this.lastSent && this.send({ type: 'viewport-size', width, height })) this.lastSent = key;
    }, delay);
  }
}
