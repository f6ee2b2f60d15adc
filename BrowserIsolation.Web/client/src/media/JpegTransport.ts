import type { ControlSocket } from '../net/ControlSocket';
import { Emitter } from '../net/Emitter';
import type { MediaTransport, TransportStatus } from './MediaTransport';

export interface Size { width: number; height: number }

/**
 * Draws the JPEG frames of the session WebSocket on a canvas whose intrinsic size is the viewport.
 * Latest wins: while one frame decodes, newer arrivals replace each other, so a slow client
 * never builds a queue, and a hidden tab decodes nothing.
 */
export class JpegTransport implements MediaTransport {
  readonly kind = 'jpeg' as const;
  readonly onStatus = new Emitter<TransportStatus>();
  readonly onFrameShown = new Emitter<void>();

  private statusValue: TransportStatus = { state: 'idle' };
  private readonly context: CanvasRenderingContext2D | null;
  private decoding = false;
  private pending: ArrayBuffer | null = null;
  private unsubscribe: (() => void) | null = null;
  private viewport: Size | null = null;
  private decodeErrors = 0;

  constructor(
    readonly element: HTMLCanvasElement,
    private readonly socket: ControlSocket,
  ) {
    this.context = element.getContext('2d', { alpha: false });
  }

  get status(): TransportStatus {
    return this.statusValue;
  }

  /** Sets the canvas to the remote viewport (from hello/viewport events). */
  setViewport(size: Size): void {
    this.viewport = size;
    if (this.element.width !== size.width || this.element.height !== size.height) {
      this.element.width = size.width;
      this.element.height = size.height;
    }
  }

  connect(): void {
    if (this.unsubscribe) return;
    this.setStatus({ state: 'connecting' });
    this.unsubscribe = this.socket.onFrame.on((frame) => this.push(frame));
    document.addEventListener('visibilitychange', this.onVisibility);
    // Coming back from WebRTC on a static page: the last frame is all there is, draw it now.
    const last = this.socket.lastFrame;
    if (last) this.push(last);
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.pending = null;
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.setStatus({ state: 'closed' });
  }

  private push(frame: ArrayBuffer): void {
    if (this.decoding || document.hidden) {
      this.pending = frame;
      return;
    }
    void this.decode(frame);
  }

  private readonly onVisibility = () => {
    if (!document.hidden && !this.decoding && this.pending) {
      const next = this.pending;
      this.pending = null;
      void this.decode(next);
    }
  };

  private async decode(frame: ArrayBuffer): Promise<void> {
    this.decoding = true;
    try {
      const bitmap = await createImageBitmap(new Blob([frame], { type: 'image/jpeg' }));
      if (this.unsubscribe) this.draw(bitmap);
      bitmap.close();
      this.decodeErrors = 0;
    } catch {
      // One corrupt frame is skipped; a stream of them is a real failure worth showing.
      if (++this.decodeErrors === 30) this.setStatus({ state: 'failed', detail: 'The JPEG frames cannot be decoded.' });
    } finally {
      this.decoding = false;
    }
    const next = this.pending;
    this.pending = null;
    if (next && this.unsubscribe && !document.hidden) void this.decode(next);
    else if (next) this.pending = next;
  }

  private draw(bitmap: ImageBitmap): void {
    const canvas = this.element;
    // Before the hello event the frame itself tells the size.
    if (!this.viewport && (canvas.width !== bitmap.width || canvas.height !== bitmap.height)) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
    }
    this.context?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    this.onFrameShown.emit();
    if (this.statusValue.state !== 'live') this.setStatus({ state: 'live' });
  }

  private setStatus(status: TransportStatus): void {
    this.statusValue = status;
    this.onStatus.emit(status);
  }
}
