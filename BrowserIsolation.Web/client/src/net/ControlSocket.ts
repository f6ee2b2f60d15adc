import { binaryKind, parseAudioFrame, type AudioFrame, type AudioMessage } from '../protocol/audio';
import { parseServerEvent, type ServerEvent } from '../protocol/events';
import type { CoBrowseMessage } from '../protocol/cobrowse';
import type { InputMessage } from '../protocol/input';
import { backoffDelay } from './backoff';
import { Emitter } from './Emitter';

export type SocketState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ControlSocketOptions {
  url: string;
  /** Asked before each reconnect; return false when the session is gone. */
  shouldReconnect: () => Promise<boolean>;
  /** Only pointer moves are dropped when this much is still unsent. */
  maxBufferedBytes?: number;
}

/**
 * The session WebSocket: JPEG frames, Opus frames (once asked for) and JSON events come in, input goes out. It stays open
 * whichever media transport shows the picture, and reconnects with backoff after a drop.
 */
export class ControlSocket {
  readonly onState = new Emitter<SocketState>();
  readonly onEvent = new Emitter<ServerEvent>();
  /** One whole JPEG per binary message (first byte 0xFF). */
  readonly onFrame = new Emitter<ArrayBuffer>();
  /** One Opus frame per binary message (first byte 0x4F); other binary messages are ignored. */
  readonly onAudioFrame = new Emitter<AudioFrame>();

  private socket: WebSocket | null = null;
  private stateValue: SocketState = 'closed';
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private latestFrame: ArrayBuffer | null = null;

  constructor(private readonly options: ControlSocketOptions) {}

  get state(): SocketState {
    return this.stateValue;
  }

  /** The newest frame received, kept so a transport switching to JPEG can draw at once. */
  get lastFrame(): ArrayBuffer | null {
    return this.latestFrame;
  }

  connect(): void {
    this.stopped = false;
    this.open();
  }

  /** Closes for good: no reconnect. */
  close(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      this.detach(socket);
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(1000, 'client closed');
    }
    this.setState('closed');
  }

  send(message: InputMessage | CoBrowseMessage | AudioMessage): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    // Under backpressure a pointer move is worthless by the time it arrives; clicks and keys are not.
    if ((message.type === 'mousemove' || message.type === 'cursor') && socket.bufferedAmount > (this.options.maxBufferedBytes ?? 256 * 1024)) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  private open(): void {
    if (this.stopped) return;
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.options.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      this.attempt = 0;
      this.setState('open');
    };
    socket.onmessage = (e: MessageEvent) => {
      if (e.data instanceof ArrayBuffer) {
        this.onBinary(e.data);
      } else if (typeof e.data === 'string') {
        const event = parseServerEvent(e.data);
        if (event) this.onEvent.emit(event);
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    };
    // onerror is always followed by onclose, which handles it.
    this.socket = socket;
  }

  private onBinary(message: ArrayBuffer): void {
    switch (binaryKind(message)) {
      case 'jpeg':
        this.latestFrame = message;
        this.onFrame.emit(message);
        break;
      case 'audio': {
        const frame = parseAudioFrame(message);
        if (frame) this.onAudioFrame.emit(frame);
        break;
      }
      default:
        break;
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.setState('reconnecting');
    const wait = backoffDelay(this.attempt++);
    this.retryTimer = setTimeout(() => {
      this.options.shouldReconnect().then(
        (again) => (again ? this.open() : this.close()),
        () => this.scheduleReconnect(),
      );
    }, wait);
  }

  private detach(socket: WebSocket): void {
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
  }

  private setState(state: SocketState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.onState.emit(state);
  }
}
